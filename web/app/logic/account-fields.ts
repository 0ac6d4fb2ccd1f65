/** The API's limits on account fields (schemas' UserName, Email and the password rule), for hints as people type. */
export const accountLimits = { nameMax: 100, emailMax: 254, passwordMin: 8, passwordMax: 200 } as const

/** What is wrong with the sign-up fields, by field (empty when nothing is): words to show beside each. */
export const signUpProblems = (fields: {
  name: string
  email: string
  password: string
}): Partial<Record<'name' | 'email' | 'password', string>> => {
  const problems: Partial<Record<'name' | 'email' | 'password', string>> = {}
  const name = fields.name.trim()
  if (name === '') problems.name = 'Enter your name.'
  else if (name.length > accountLimits.nameMax)
    problems.name = `A name is at most ${accountLimits.nameMax} characters.`
  const email = emailProblem(fields.email)
  if (email !== undefined) problems.email = email
  const password = passwordProblem(fields.password)
  if (password !== undefined) problems.password = password
  return problems
}

export const emailProblem = (email: string): string | undefined => {
  const trimmed = email.trim()
  if (trimmed === '') return 'Enter your e-mail address.'
  if (trimmed.length > accountLimits.emailMax || !/^[^\s@]+@[^\s@]+$/.test(trimmed))
    return 'Enter an e-mail address like name@example.com.'
  return undefined
}

export const passwordProblem = (password: string): string | undefined => {
  // Counted as the API counts (UTF-16 code units), so a hint never disagrees with the server.
  if (password.length < accountLimits.passwordMin)
    return `A password is at least ${accountLimits.passwordMin} characters (${password.length} so far).`
  if (password.length > accountLimits.passwordMax)
    return `A password is at most ${accountLimits.passwordMax} characters.`
  return undefined
}

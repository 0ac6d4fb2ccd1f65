/** The ETag of a note version: the version number, quoted. */
export const etagOf = (version: number) => `"${version}"`

import { createRouter, createWebHistory } from 'vue-router'
import NotesPage from './pages/NotesPage.vue'
import SignInPage from './pages/SignInPage.vue'
import SignUpPage from './pages/SignUpPage.vue'
import { currentUser, loadSession } from './session.ts'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    // NotesPage props: `id` the open note (undefined: none), `creating` a new note is open.
    { path: '/', name: 'notes', component: NotesPage },
    { path: '/new', name: 'new-note', component: NotesPage, props: { creating: true } },
    { path: '/notes/:id', name: 'note', component: NotesPage, props: true },
    { path: '/sign-in', name: 'sign-in', component: SignInPage, meta: { public: true } },
    { path: '/sign-up', name: 'sign-up', component: SignUpPage, meta: { public: true } },
    { path: '/:unknown(.*)*', redirect: '/' },
  ],
})

// Every page but sign-in and sign-up needs a session.
router.beforeEach(async (to) => {
  const user = currentUser.value === undefined ? await loadSession() : currentUser.value
  if (to.meta.public !== true && user === null) return { name: 'sign-in', query: { next: to.fullPath } }
  return true
})

export interface Validation {
  success: boolean
  issues: string[]
  checked: number
}

/** Validates a signup form asynchronously (as schema libraries' `parseAsync` do); keeps nothing. */
export async function validateSignup(form: { email: string; scores: number[] }): Promise<Validation> {
  await Promise.resolve()
  const issues = form.email.includes('@') ? [] : ['email: not an address']
  return { success: issues.length === 0, issues, checked: form.scores.length }
}

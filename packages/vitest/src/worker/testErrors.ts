/** Leaves a thrown error its name and a short message: what a run's promise keeps of it is then small. */
export function shrinkError(error: unknown) {
  if (typeof error !== 'object' || error === null) return
  try {
    for (const key of Reflect.ownKeys(error))
      if (key !== 'message' && key !== 'name' && key !== 'stack') Reflect.deleteProperty(error, key)
    const withMessage = error as { message?: unknown; stack?: unknown }
    if (typeof withMessage.message === 'string' && withMessage.message.length > 200)
      withMessage.message = withMessage.message.slice(0, 200)
    // Through V8's own setter: it replaces the captured frames (or their formatted text) the error holds.
    withMessage.stack = ''
  } catch {
    // a frozen or exotic error keeps what it has
  }
}

export function errorMessage(errors: unknown): string {
  const first = Array.isArray(errors) ? errors[0] : errors
  const message = (first as { message?: string } | undefined)?.message ?? String(first)
  return message.split('\n')[0]!.slice(0, 200)
}

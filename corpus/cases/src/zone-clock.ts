// One Intl formatter per time zone, made on first use and kept: bounded by the number of zones.
const formatters = new Map<string, Intl.DateTimeFormat>()

export function formatInZone(date: Date, timeZone: string): string {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full', timeStyle: 'long' })
    formatters.set(timeZone, formatter)
  }
  return formatter.format(date)
}

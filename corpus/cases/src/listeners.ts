// Calls every listener it is given with the reading; keeps neither the listeners nor the reading.
export function notifyAll(listeners: Array<(reading: number[]) => void>, reading: number[]): number {
  for (const listener of listeners) listener(reading)
  return listeners.length
}

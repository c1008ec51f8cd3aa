export interface Mail {
  to: string
  body: number[]
}

export const transport = {
  send(mail: Mail): boolean {
    return mail.to.includes('@')
  },
}

export function deliver(to: string, body: number[]): boolean {
  return transport.send({ to, body })
}

export interface Message {
  to: string
  lines: number[]
}

export const mailer = {
  deliver(message: Message): boolean {
    return message.to.includes('@')
  },
}

export function notify(send: (message: Message) => void, to: string, lines: number[]): void {
  send({ to, lines })
}

export function notifyByMail(to: string, lines: number[]): boolean {
  return mailer.deliver({ to, lines })
}

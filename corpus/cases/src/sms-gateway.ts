export interface TextMessage {
  to: string
  segments: number[]
}

export const gateway = {
  send(message: TextMessage): boolean {
    return message.to.startsWith('+')
  },
}

export function sendAlert(to: string, segments: number[]): boolean {
  return gateway.send({ to, segments })
}

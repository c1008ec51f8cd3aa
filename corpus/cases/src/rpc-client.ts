export interface RpcRequest {
  id: number
  method: string
  params: number[]
}

type Reply = { id: number; result: number }

// Replies would come from a socket; while disconnected, requests are dropped and their promises never settle.
const transport = {
  connected: false,
  send(_request: RpcRequest, _deliver: (reply: Reply) => void): void {
    if (!this.connected) return
  },
}

// Removal happens in `finally`, which never runs for a promise that never settles.
const inflight = new Set<Promise<Reply>>()
let nextId = 1

export function call(method: string, params: number[]): Promise<number> {
  const request = { id: nextId++, method, params }
  const reply = new Promise<Reply>((resolve) => transport.send(request, resolve))
  inflight.add(reply)
  reply.finally(() => inflight.delete(reply))
  return reply.then((r) => (r.id === request.id ? r.result : Number.NaN))
}

export function inflightCount(): number {
  return inflight.size
}

export function encodeMethod(service: string, method: string): string {
  return `${service}.${method}`
}

// The target of bench/load.bench.mjs: a node:http hello world in its own process, so neither load generator
// shares an event loop with it; /delay answers after 50 ms. Sends its port to the parent.
import http from 'node:http'

const server = http.createServer((req, res) => {
  if (req.url === '/delay') setTimeout(() => res.end('hello world'), 50)
  else res.end('hello world')
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
process.on('disconnect', () => process.exit(0))

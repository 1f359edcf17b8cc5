// The Socket.IO side of Expo Hub's fan-out comparison (docs/BENCHMARKS.md), for
// `expo bench-fanout --target socketio`: Socket.IO 4.8 with the Redis adapter, every
// connection in one room, every "msg" event sent to the whole room (through the adapter, as
// a multi-node deployment does). Websocket transport only, no compression: the same wire
// work as the other servers in the comparison.
//
//   PORT=3100 REDIS_URL=redis://127.0.0.1:6379 REDIS_PREFIX=bench node server.js
'use strict';
const { createServer } = require('node:http');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createClient } = require('redis');

async function main() {
  const port = Number(process.env.PORT || 3100);
  const pub = createClient({ url: process.env.REDIS_URL || 'redis://127.0.0.1:6379' });
  const sub = pub.duplicate();
  for (const client of [pub, sub]) {
    client.on('error', (error) => console.error('redis:', error.message));
  }
  await Promise.all([pub.connect(), sub.connect()]);
  const http = createServer();
  const io = new Server(http, {
    transports: ['websocket'],
    perMessageDeflate: false,
    serveClient: false,
    adapter: createAdapter(pub, sub, { key: process.env.REDIS_PREFIX || 'socket.io' }),
  });
  io.on('connection', (socket) => {
    socket.join('booth');
    socket.on('msg', (text) => io.to('booth').emit('msg', text));
  });
  http.listen(port, '127.0.0.1', () => {
    const version = require('socket.io/package.json').version;
    console.log(`socket.io ${version} with the redis adapter listening on ${port}`);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

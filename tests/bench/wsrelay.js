// wsrelay: the WebSocket reference of the SocketServer benchmark (tests/bench/run.sh). What a
// web developer would write instead of socketserver: Node.js and the npm package `ws`, every
// message relayed to every other client (like ncat --broker: not back to its sender), text as
// text and binary as binary. No limits and no flow control: ws.send() queues whatever a client
// does not take yet, as such a relay usually does.
//
//   usage: node wsrelay.js PORT   (127.0.0.1; PORT 0 picks one; prints "listening on PORT")
//   `ws` is found through NODE_PATH (run.sh installs it into the build directory).
'use strict';

const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.argv[2]);
if (process.argv.length !== 3 || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: node wsrelay.js PORT');
    process.exit(2);
}

const server = new WebSocketServer({ host: '127.0.0.1', port, backlog: 4096 });
server.on('listening', () => console.log(`listening on ${server.address().port}`));
server.on('error', (error) => {
    console.error(`wsrelay: ${error.message}`);
    process.exit(1);
});
server.on('connection', (client) => {
    client.on('message', (data, isBinary) => {
        for (const other of server.clients) {
            if (other !== client && other.readyState === WebSocket.OPEN)
                other.send(data, { binary: isBinary });
        }
    });
    client.on('error', () => {}); // a client that goes away is only dropped
});

import { createServer } from 'node:http';
import { createCredential } from './auth.js';

const credential = createCredential();
const port = Number(process.env.PORT ?? 8080);

createServer(async (request, response) => {
  if (request.url === '/healthz') {
    response.writeHead(200).end('ok');
    return;
  }
  const token = await credential.getToken('https://vault.azure.net/.default');
  response.writeHead(token ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ orders: [] }));
}).listen(port);

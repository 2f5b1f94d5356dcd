// Preloaded with `node --import` into the process that runs pod2wi on the hostile corpus: every way out to the
// network records the attempt and throws, so a test can assert that scan, plan, fix and check made none.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

const attempts = [];
globalThis.pod2wiNetworkAttempts = attempts;

function trap(what) {
  return function trapped(...args) {
    const target = args.find((arg) => typeof arg === 'string' || (arg && typeof arg === 'object'));
    attempts.push(`${what} ${typeof target === 'string' ? target : JSON.stringify(target ?? null)}`);
    throw new Error(`network access trapped: ${what}`);
  };
}

net.Socket.prototype.connect = trap('net.Socket.connect');
net.connect = trap('net.connect');
net.createConnection = trap('net.createConnection');
tls.connect = trap('tls.connect');
http.request = trap('http.request');
http.get = trap('http.get');
https.request = trap('https.request');
https.get = trap('https.get');
dns.lookup = trap('dns.lookup');
dns.resolve = trap('dns.resolve');
dns.promises.lookup = trap('dns.promises.lookup');
dns.promises.resolve = trap('dns.promises.resolve');
globalThis.fetch = async (input) => {
  attempts.push(`fetch ${String(input)}`);
  throw new Error('network access trapped: fetch');
};

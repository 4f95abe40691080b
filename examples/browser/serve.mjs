#!/usr/bin/env node
// Static server for the browser demo (node:http only): the page, onnxruntime-web's files from node_modules under
// /ort/, and the model chosen with --model as /model.onnx + /model.onnx.json (+ /model.onnx.gallery.json, an encoder's gallery, when present).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const USAGE = 'usage: node examples/browser/serve.mjs [--model runs/x/model.onnx] [--port 8080] [--host 127.0.0.1]';
const PAGE_DIR = dirname(fileURLToPath(import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json; charset=utf-8', '.onnx': 'application/octet-stream',
};

/** onnxruntime-web's dist folder (ort.wasm.min.mjs, ort-wasm-simd-threaded.{mjs,wasm}). */
function ortDir() {
  try {
    return dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  } catch {
    throw new Error('onnxruntime-web is not installed: run npm ci (it is a devDependency)');
  }
}

/** A file under root named by the URL path, or null when the path leaves root or names no file. */
function under(root, urlPath) {
  const file = normalize(join(root, decodeURIComponent(urlPath)));
  if (file !== root && !file.startsWith(root + sep)) return null;
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

function send(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

/** The request handler: / and the page's files, /ort/*, /model.onnx(.json, .gallery.json) (204 when no model or gallery). */
function handler(model, ort) {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    let file;
    if (path === '/model.onnx' || path === '/model.onnx.json') {
      if (!model) return res.writeHead(204).end();
      file = path === '/model.onnx' ? model : `${model}.json`;
    } else if (path === '/model.onnx.gallery.json') {
      if (!model || !existsSync(`${model}.gallery.json`)) return res.writeHead(204).end(); // an encoder's gallery is optional
      file = `${model}.gallery.json`;
    } else if (path.startsWith('/ort/')) {
      file = under(ort, path.slice('/ort/'.length));
    } else {
      file = under(PAGE_DIR, path === '/' ? 'index.html' : path.slice(1));
    }
    if (!file || !existsSync(file)) return send(res, 404, `not found: ${path}`);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  };
}

/** Starts the server; resolves with its URL once listening (port 0 = any free port). */
export function serveDemo({ model = null, port = 8080, host = '127.0.0.1' } = {}) {
  const modelPath = model ? resolve(model) : null;
  if (modelPath && !existsSync(modelPath)) throw new Error(`--model ${model}: no such file`);
  if (modelPath && !existsSync(`${modelPath}.json`)) throw new Error(`--model ${model}: its info file ${model}.json is missing (written by simclr export --onnx)`);
  const server = createServer(handler(modelPath, ortDir()));
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok({ server, url: `http://${host}:${server.address().port}/` }));
  });
}

async function main() {
  const { values } = parseArgs({ options: { model: { type: 'string' }, port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' }, help: { type: 'boolean' } } });
  if (values.help) return console.log(USAGE);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port}: a port number 0..65535`);
  const { url } = await serveDemo({ model: values.model, port, host: values.host });
  console.log(`serving the SimCLR browser demo at ${url}${values.model ? ` (model ${values.model})` : ' (no --model: choose one on the page)'}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`serve: ${err.message}\n${USAGE}`);
    process.exit(1);
  });
}

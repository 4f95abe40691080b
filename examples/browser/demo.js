// The browser demo: loads a model exported by `simclr export --onnx` (model.onnx + model.onnx.json) with
// onnxruntime-web (WebAssembly, served from node_modules by serve.mjs) and classifies a dropped or chosen image; for an
// encoder with an exported gallery (model.onnx.gallery.json) it shows the image's nearest gallery neighbours instead.
import * as ort from '/ort/ort.wasm.min.mjs';
import { decodeGallery, nearest } from './neighbours.js';
import { preprocess, topK } from './preprocess.js';

ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = 1; // threads need a cross-origin-isolated page; one thread gives the same numbers anyway
ort.env.logLevel = 'error';

const $ = (id) => document.getElementById(id);
/** What the page shows, also read by the end-to-end test: the model info, the last input and output. */
const state = { info: null, session: null, gallery: null, input: null, probabilities: null, top: null, features: null, neighbours: null };
window.simclrDemo = state;

function setStatus(element, text, kind = 'ok') {
  element.textContent = text;
  element.dataset.state = kind;
}

async function useModel(bytes, info, from, gallery = null) {
  if (info.format !== 'simclr-ts-onnx/1') throw new Error(`${from}: not a simclr-ts export info file (format ${info.format})`);
  const decoded = gallery && info.what === 'encoder' ? decodeGallery(gallery, info.output.shape[1]) : null;
  if (state.session) await state.session.release();
  state.session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  state.info = info;
  state.gallery = decoded;
  const m = info.model;
  const what = info.what === 'classifier'
    ? `classifier, ${info.classNames?.length ?? info.output.shape[1]} classes`
    : `encoder (${info.output.shape[1]} features${decoded ? `, gallery of ${decoded.items.length} images from ${decoded.source}` : ''})`;
  setStatus($('model-status'), `Model ${from}: ${what}; input ${m.inChannels} x ${m.imageSize} x ${m.imageSize}`, 'ready');
  $('encoder-note').hidden = info.what !== 'encoder' || decoded !== null;
  $('image-file').disabled = false;
}

/** model.onnx.gallery.json next to the page, or null (204: none exported). */
async function servedGallery() {
  const response = await fetch('model.onnx.gallery.json');
  if (response.status === 204 || response.status === 404) return null;
  if (!response.ok) throw new Error(`model.onnx.gallery.json: HTTP ${response.status}`);
  return response.json();
}

/** model.onnx + model.onnx.json next to the page (serve.mjs --model), when served (204: none). */
async function loadServedModel() {
  const infoResponse = await fetch('model.onnx.json');
  if (infoResponse.status === 204 || infoResponse.status === 404) {
    setStatus($('model-status'), 'No model served next to the page: choose model.onnx and model.onnx.json below.', 'waiting');
    return;
  }
  if (!infoResponse.ok) throw new Error(`model.onnx.json: HTTP ${infoResponse.status}`);
  const info = await infoResponse.json();
  const modelResponse = await fetch('model.onnx');
  if (!modelResponse.ok) throw new Error(`model.onnx: HTTP ${modelResponse.status}`);
  const gallery = info.what === 'encoder' ? await servedGallery() : null;
  await useModel(new Uint8Array(await modelResponse.arrayBuffer()), info, 'model.onnx', gallery);
}

async function loadChosenModel(files) {
  const onnx = files.find((f) => f.name.endsWith('.onnx'));
  const json = files.find((f) => f.name.endsWith('.json') && !f.name.endsWith('.gallery.json'));
  const gallery = files.find((f) => f.name.endsWith('.gallery.json'));
  if (!onnx || !json) throw new Error('choose both files: the .onnx model and its .onnx.json info (and an encoder\'s .onnx.gallery.json)');
  await useModel(new Uint8Array(await onnx.arrayBuffer()), JSON.parse(await json.text()), onnx.name, gallery ? JSON.parse(await gallery.text()) : null);
}

/** Opaque RGBA pixels of an image file at its own size, alpha composited on white (as sharp's flatten). */
async function readPixels(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image', premultiplyAlpha: 'default' });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, bitmap.width, bitmap.height);
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { rgba: ctx.getImageData(0, 0, canvas.width, canvas.height).data, width: canvas.width, height: canvas.height };
}

/** Draws the model input (what the network sees) enlarged on the preview canvas. */
function showInput(data, channels, size) {
  const canvas = $('preview');
  const image = new ImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    for (let c = 0; c < 3; c++) image.data[4 * i + c] = Math.round(255 * data[(channels === 3 ? c : 0) * size * size + i]);
    image.data[4 * i + 3] = 255;
  }
  const small = new OffscreenCanvas(size, size);
  small.getContext('2d').putImageData(image, 0, 0);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
}

function showTop(top) {
  const list = $('top5');
  list.replaceChildren(...top.map(({ name, probability }) => {
    const item = document.createElement('li');
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.width = `${(100 * probability).toFixed(1)}%`;
    item.append(`${name}: ${(100 * probability).toFixed(2)}%`, bar);
    return item;
  }));
}

/** The neighbours as thumbnails with class name and cosine similarity. */
function showNeighbours(neighbours) {
  $('neighbours').replaceChildren(...neighbours.map(({ index, name, similarity, image }) => {
    const figure = document.createElement('figure');
    const img = document.createElement('img');
    img.src = image;
    img.alt = `training image ${index}: ${name}`;
    const caption = document.createElement('figcaption');
    caption.textContent = `${name} ${similarity.toFixed(3)}`;
    figure.append(img, caption);
    return figure;
  }));
}

async function classify(file) {
  const { info, session } = state;
  if (!session) throw new Error('load a model first');
  setStatus($('result-status'), `Running ${file.name}...`, 'busy');
  const { inChannels: channels, imageSize: size } = info.model;
  const { rgba, width, height } = await readPixels(file);
  const input = preprocess(rgba, width, height, { channels, size });
  showInput(input, channels, size);
  const feeds = { [info.input.name]: new ort.Tensor('float32', input, [1, channels, size, size]) };
  const output = (await session.run(feeds))[info.output.name];
  state.input = input;
  if (info.what !== 'classifier') {
    state.probabilities = null;
    state.top = null;
    state.features = Array.from(output.data);
    state.neighbours = state.gallery ? nearest(state.features, state.gallery, 8) : null;
    $('top5').replaceChildren();
    showNeighbours(state.neighbours ?? []);
    setStatus($('result-status'), state.neighbours
      ? `${file.name}: nearest training image ${state.neighbours[0].name} (cosine similarity ${state.neighbours[0].similarity.toFixed(3)})`
      : `${file.name}: ${output.data.length} features computed (export with --gallery for nearest neighbours).`, 'done');
    return;
  }
  state.features = null;
  state.neighbours = null;
  $('neighbours').replaceChildren();
  state.probabilities = Array.from(output.data);
  state.top = topK(state.probabilities, info.classNames, 5);
  showTop(state.top);
  setStatus($('result-status'), `${file.name} (${width} x ${height}): ${state.top[0].name}`, 'done');
}

/** Runs an event handler, showing its error on the page (and in the console) instead of losing it. */
function guarded(status, fn) {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (err) {
      setStatus(status, `Error: ${err.message ?? err}`, 'error');
      console.error(err);
    }
  };
}

function wire() {
  $('model-files').addEventListener('change', guarded($('model-status'), (e) => loadChosenModel([...e.target.files])));
  $('image-file').addEventListener('change', guarded($('result-status'), (e) => e.target.files[0] && classify(e.target.files[0])));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', guarded($('result-status'), (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = [...e.dataTransfer.files].find((f) => f.type.startsWith('image/'));
    if (!file) throw new Error('drop an image file');
    return classify(file);
  }));
}

wire();
guarded($('model-status'), loadServedModel)();

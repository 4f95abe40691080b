// The export layer's public API: SimCLR models as ONNX files (an encoder's features or a classifier's probabilities)
// for onnxruntime in Node, in the browser (onnxruntime-web) or in Python. Sits above models/, below pipeline/ and cli/.
export {
  exportOnnx, saveOnnx, checkOnnxPath, onnxInfoPath, ONNX_OPSET, ONNX_IR_VERSION, ONNX_INFO_FORMAT,
  type OnnxExport, type OnnxExportOptions, type OnnxInfo, type OnnxFeature, type OnnxModelSource, type OnnxWhat,
} from './onnx_export.js';
export type { Dim } from './graph.js';
export {
  buildGallery, chooseGallery, checkGallerySize, galleryFeatures, galleryPath, saveGallery, DEFAULT_GALLERY_SIZE, GALLERY_FORMAT, MAX_GALLERY_SIZE,
  type GalleryFile, type GalleryItem, type GalleryOptions,
} from './gallery.js';

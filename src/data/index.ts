// The data layer's public API: datasets (IDX, CIFAR, image folders), label subsets, batched SimCLR augmentations,
// the loader and the augmentation grid. DESIGN.md sections 4 and 5.
export { InMemoryDataset, subsetDataset, classCounts, type Dataset, type InMemoryDatasetInit } from './dataset.js';
export { DataError, writeBadFileList, type BadFile, type BadInputOptions } from './errors.js';
export { readIdx, parseIdx, idxDataset, fashionMnist, mnist, FASHION_MNIST_CLASSES, FASHION_MNIST_DEBIAN_DIR } from './idx.js';
export { cifar10, cifar100, CIFAR10_CLASSES, type CifarOptions } from './cifar.js';
export { imageFolder, type ImageFolderOptions } from './folder.js';
export { decodeImage, IMAGE_EXTENSIONS, type DecodeOptions } from './decode.js';
export { parseDataSpec, loadDataSpec, type DataSpec, type DataSplits, type LoadDataOptions } from './spec.js';
export { parseSubsetSpec, describeSubsetSpec, drawSubset, readSubsetFile, writeSubsetFile, resolveSubset, type SubsetSpec } from './subset.js';
export { resolveAugmentOptions, sampleAugmentParams, COLOR_OPS, type AugmentOptions, type AugmentParams, type ResolvedAugmentOptions } from './augment_params.js';
export {
  applyAugment, augmentWithParams, simclrAugment, simclrViews, finetuneAugment, evalTransform, toFloatImages, normalizeImages,
  FINETUNE_AUGMENT,
} from './augment.js';
export { centerCrop, cropAndFlip, type CenterCropOptions } from './augment_geometry.js';
export { adjustBrightness, adjustContrast, adjustSaturation, adjustHue, grayscale, GRAY_WEIGHTS } from './augment_color.js';
export { gaussianBlur, gaussianKernels, blurKernelSize } from './augment_blur.js';
export { DataLoader, mixSeed, type Batch, type BatchTransform, type LoaderOptions, type LoaderState } from './loader.js';
export { writeAugmentGrid, showAugment, type AugmentGridOptions, type ShowAugmentOptions } from './grid.js';

// Forward (eval and train mode), running statistics and gradients match PyTorch: torchvision ResNet-50 / ResNet-18
// (CIFAR stem) and a SimCLRv2 SK+SE model transcribed from the official code. Fixtures: scripts/make_model_fixtures.py.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResNet, SimCLRModel, parseModelDescription } from '../../src/models/index.js';
import type { Module } from '../../src/nn/index.js';
import { dispose, linspace, noGrad, setNumThreads, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertClose, loadFixture } from './helpers.js';

// The fixtures were made with one thread (scripts/make_model_fixtures.py); libtorch 2.x defaults to every core, and
// train-mode batch norm over a batch of 6 magnifies the different summation order past the tolerances.
setNumThreads(1);

function withFixture(name: string, model: Module, fn: (io: Map<string, Tensor>) => void): void {
  const weights = loadFixture(name);
  const io = loadFixture(`${name}_io`);
  try {
    const { missing, unexpected } = model.loadStateDict(weights); // strict: throws on any missing / unexpected key
    assert.deepEqual([missing, unexpected], [[], []]);
    fn(io);
  } finally {
    dispose([weights, io]);
    model.dispose();
  }
}

/** sum(out * linspace(-1, 1)): the loss the fixture script backpropagates. */
function weightedSum(out: Tensor): Tensor {
  return out.mul(linspace(-1, 1, out.numel).reshape(out.shape)).sum();
}

function buffer(model: Module, name: string): Tensor {
  const t = model.stateDict().get(name);
  assert.ok(t, `no state entry '${name}'`);
  return t;
}

function gradOf(model: Module, name: string): Tensor {
  const p = [...model.namedParameters()].find(([n]) => n === name)?.[1];
  assert.ok(p?.grad, `no gradient for '${name}'`);
  return p.grad;
}

test('torchvision ResNet-50 (1/8 width, 10-class fc) loads by name and matches in eval mode', () => {
  const d = parseModelDescription({ depth: 50, widthMultiplier: 0.125, imageSize: 112, zeroInitResidual: false });
  const model = ResNet.fromDescription(d, { numClasses: 10 });
  withFixture('resnet50_w0125', model, (io) => {
    model.eval();
    tidy(() => noGrad(() => {
      assertClose(model.features(io.get('input')!), io.get('features')!, 'features');
      assertClose(model.forward(io.get('input')!), io.get('logits')!, 'logits');
    }));
  });
});

test('torchvision ResNet-18 with the CIFAR stem matches in eval mode and for one train-mode step', () => {
  const d = parseModelDescription({ depth: 18, widthMultiplier: 0.125, imageSize: 32, zeroInitResidual: false });
  const model = ResNet.fromDescription(d, { numClasses: 10 });
  withFixture('resnet18_cifar_w0125', model, (io) => {
    const x = io.get('input')!;
    model.eval();
    tidy(() => noGrad(() => {
      assertClose(model.features(x), io.get('features')!, 'features');
      assertClose(model.forward(x), io.get('logits')!, 'logits');
    }));
    model.train();
    tidy(() => {
      const out = model.forward(x); // (4, 10), batch statistics
      assertClose(out, io.get('train_logits')!, 'train-mode logits');
      weightedSum(out).backward();
    });
    assertClose(buffer(model, 'bn1.running_mean'), io.get('train_bn1_running_mean')!, 'bn1.running_mean after one step', 1e-6);
    assertClose(buffer(model, 'layer4.1.bn2.running_var'), io.get('train_layer4_1_bn2_running_var')!, 'layer4.1.bn2.running_var', 1e-5);
    assert.equal(buffer(model, 'bn1.num_batches_tracked').item(), 8);
    tidy(() => {
      assertClose(gradOf(model, 'conv1.weight'), io.get('grad_conv1_weight')!, 'grad conv1.weight', 0, 1e-4);
      assertClose(gradOf(model, 'layer4.1.bn2.weight'), io.get('grad_layer4_1_bn2_weight')!, 'grad layer4.1.bn2.weight', 0, 1e-4);
      assertClose(gradOf(model, 'fc.weight'), io.get('grad_fc_weight')!, 'grad fc.weight', 0, 1e-4);
    });
  });
});

test('SimCLRv2 with SK + SE, ResNet-D stem/shortcut, grayscale input and 3-layer head matches the official transcription', () => {
  const model = new SimCLRModel({
    depth: 50, widthMultiplier: 0.125, skRatio: 0.0625, seRatio: 0.25, inChannels: 1, imageSize: 72, numClasses: 5,
    projHead: { mode: 'nonlinear', numLayers: 3, outDim: 16 }, ftProjSelector: 1, zeroInitResidual: false,
  });
  withFixture('simclr_sk_se_r50_w0125', model, (io) => {
    const x = io.get('input')!;
    model.eval();
    tidy(() => noGrad(() => {
      const out = model.forward(x);
      assert.equal(out.projections.length, 4);
      out.projections.forEach((p, i) => assertClose(p, io.get(`projection_${i}`)!, `projection ${i}`));
      assert.equal(out.z, out.projections[3]);
      assertClose(out.logits!, io.get('logits')!, 'logits');
    }));
    model.train();
    tidy(() => {
      const out = model.forward(x);
      // z ends in a BN without beta over a batch of 6: dividing by that batch's std amplifies float32 summation-order
      // differences, which depend on the CPU's kernels (1.1e-4 on an AVX-512 EPYC, under 1e-4 elsewhere): 1e-4 relative.
      assertClose(out.z, io.get('train_z')!, 'train-mode z', 1e-4, 1e-4);
      assertClose(out.logits!, io.get('train_logits')!, 'train-mode logits');
      weightedSum(out.z).backward();
    });
    assertClose(buffer(model, 'encoder.layer3.0.conv2.fc_bn.running_mean'), io.get('train_conv2_fc_bn_running_mean')!, 'SK fc_bn.running_mean', 1e-6);
    assertClose(buffer(model, 'projection_head.2.bn.running_var'), io.get('train_head_last_bn_running_var')!, 'head BN running_var', 1e-5);
    tidy(() => {
      assertClose(gradOf(model, 'encoder.conv1.0.weight'), io.get('grad_stem_conv_weight')!, 'grad stem conv', 0, 1e-4);
      assertClose(gradOf(model, 'encoder.layer2.0.conv2.fc2.weight'), io.get('grad_sk_fc2_weight')!, 'grad SK fc2', 0, 1e-4);
      assertClose(gradOf(model, 'projection_head.0.linear.weight'), io.get('grad_head_0_weight')!, 'grad head layer 0', 0, 1e-4);
    });
  });
});

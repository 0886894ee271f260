import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildDenseAutoencoder } from "../lib/models/dense-ae";
import { buildConvAutoencoder } from "../lib/models/conv-ae";
import { buildConvDecoder } from "../lib/models/conv";
import { buildVae, klDivergence, reconstructionError, reparameterize } from "../lib/models/vae";

tf.setBackend("cpu");

test("dense autoencoder: shapes and parameter count", () => {
  const { encoder, decoder, autoencoder } = buildDenseAutoencoder({ imageShape: [28, 28, 1], hiddenUnits: [256, 64], latentDim: 2, seed: 1 });
  assert.deepEqual(encoder.outputs[0].shape, [null, 2]);
  assert.deepEqual(decoder.outputs[0].shape, [null, 28, 28, 1]);
  assert.deepEqual(autoencoder.outputs[0].shape, [null, 28, 28, 1]);
  // 784·256+256 + 256·64+64 + 64·2+2 + 2·64+64 + 64·256+256 + 256·784+784
  assert.equal(autoencoder.countParams(), 435858);
  assert.equal(autoencoder.countParams(), encoder.countParams() + decoder.countParams(), "the chain shares its layers");
});

test("conv autoencoder and colour images: shapes", () => {
  const grey = buildConvAutoencoder({ imageShape: [28, 28, 1], filters: [16, 32], latentDim: 8, seed: 1 });
  assert.deepEqual(grey.encoder.outputs[0].shape, [null, 8]);
  assert.deepEqual(grey.autoencoder.outputs[0].shape, [null, 28, 28, 1]);
  const colour = buildConvAutoencoder({ imageShape: [64, 64, 3], filters: [16, 32, 64], latentDim: 32, seed: 1 });
  const y = tf.tidy(() => colour.autoencoder.predict(tf.zeros([2, 64, 64, 3])) as tf.Tensor);
  assert.deepEqual(y.shape, [2, 64, 64, 3]);
  y.dispose();
  assert.throws(() => buildConvDecoder({ imageShape: [28, 28, 1], latentDim: 2, filters: [8, 8, 8], outputActivation: "sigmoid", seed: 0 }), /3 upsamplings need image sides divisible by 8, got 28×28/);
});

test("the same seed builds the same weights", () => {
  const a = buildVae({ imageShape: [28, 28, 1], filters: [8, 16], latentDim: 2, seed: 3 });
  const b = buildVae({ imageShape: [28, 28, 1], filters: [8, 16], latentDim: 2, seed: 3 });
  const c = buildVae({ imageShape: [28, 28, 1], filters: [8, 16], latentDim: 2, seed: 4 });
  const w = (m: tf.LayersModel) => Array.from(m.getWeights()[0].dataSync());
  assert.deepEqual(w(a.decoder), w(b.decoder));
  assert.notDeepEqual(w(a.decoder), w(c.decoder));
});

test("VAE decoder and GAN generator come from one factory with stable layer names", () => {
  const { encoder, decoder } = buildVae({ imageShape: [28, 28, 1], filters: [32, 64], latentDim: 16, batchNorm: true, outputActivation: "tanh", seed: 1 });
  assert.deepEqual(encoder.outputs.map((o) => o.shape), [[null, 16], [null, 16]]);
  const generator = buildConvDecoder({ imageShape: [28, 28, 1], latentDim: 16, filters: [64, 32], batchNorm: true, outputActivation: "tanh", seed: 9 });
  assert.deepEqual(decoder.layers.map((l) => l.name), generator.layers.map((l) => l.name));
  assert.deepEqual(decoder.getWeights().map((t) => t.shape), generator.getWeights().map((t) => t.shape));
});

test("KL divergence in closed form matches the formula and is 0 at the prior", () => {
  const mu = tf.tensor2d([[0, 0], [1, -2]]);
  const logVar = tf.tensor2d([[0, 0], [Math.log(4), 0]]);
  const kl = klDivergence(mu, logVar).arraySync();
  assert.ok(Math.abs(kl[0]) < 1e-7);
  // ½ Σ (σ² + μ² − 1 − log σ²) = ½[(4 + 1 − 1 − ln 4) + (1 + 4 − 1 − 0)]
  assert.ok(Math.abs(kl[1] - 0.5 * (4 - Math.log(4) + 4)) < 1e-5);
  tf.dispose([mu, logVar]);
});

test("reparameterisation has the requested mean and spread; losses are per sample", () => {
  const mu = tf.fill([4000, 1], 2) as tf.Tensor2D;
  const logVar = tf.fill([4000, 1], Math.log(0.25)) as tf.Tensor2D;
  const z = reparameterize(mu, logVar, 7);
  const { mean, variance } = tf.moments(z);
  assert.ok(Math.abs(mean.dataSync()[0] - 2) < 0.05);
  assert.ok(Math.abs(Math.sqrt(variance.dataSync()[0]) - 0.5) < 0.05);
  const x = tf.tensor4d([0, 1, 1, 0], [1, 2, 2, 1]);
  assert.ok(Math.abs(reconstructionError(x, x.mul(0.5).add(0.25) as tf.Tensor4D, "mse").dataSync()[0] - 4 * 0.0625) < 1e-6);
  assert.ok(reconstructionError(x, x, "bce").dataSync()[0] < 1e-5, "BCE of a perfect reconstruction is ~0");
  tf.dispose([mu, logVar, z, mean, variance, x]);
});

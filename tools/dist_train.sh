#!/usr/bin/env bash
# Distributed training on one or more machines through MMEngine's `pytorch`
# launcher (torchrun), as mmpose's tools/dist_train.sh:
#   tools/dist_train.sh CONFIG GPUS [train.py arguments]
# Several machines: NNODES, NODE_RANK, MASTER_ADDR and PORT on each, e.g.
#   NNODES=2 NODE_RANK=0 MASTER_ADDR=10.0.0.1 tools/dist_train.sh CONFIG 8
# PYTHON picks the interpreter (default: python). train.py / test.py import the
# installed classroomkd_mm, else this checkout's.

CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}

${PYTHON:-python} -m torch.distributed.run \
    --nnodes=$NNODES \
    --node_rank=$NODE_RANK \
    --master_addr=$MASTER_ADDR \
    --nproc_per_node=$GPUS \
    --master_port=$PORT \
    $(dirname "$0")/train.py \
    $CONFIG \
    --launcher pytorch ${@:3}

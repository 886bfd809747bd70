# ./simcc_res18-c16_1xb16-120e_coco-mini-64x48.py at twice the width
# (ResNet-18/32: 128 channels at stride 16), a stronger SimCC mentor.
_base_ = ['./simcc_res18-c16_1xb16-120e_coco-mini-64x48.py']
model = dict(
    backbone=dict(base_channels=32),
    head=dict(in_channels=128))

# ./td-hm_res18-c16_1xb32-12e_synthetic-figures-64x48.py at twice the width
# (ResNet-18 at 1/2 width): the stronger mentor of the SYNTHETIC pose
# benchmark.
_base_ = ['./td-hm_res18-c16_1xb32-12e_synthetic-figures-64x48.py']

model = dict(
    backbone=dict(base_channels=32),
    head=dict(in_channels=128))

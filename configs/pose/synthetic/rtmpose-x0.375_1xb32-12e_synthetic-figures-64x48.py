# ./rtmpose-x0.25_1xb32-12e_synthetic-figures-64x48.py with CSPNeXt at
# RTMPose-t's width (0.375): a stronger model of the same family, the teacher
# of the RTMPose peers benchmark (configs/benchmarks/pose_synthetic_rtmpose_
# peers.py; AP 34.3 after its 12 epochs, seed 0, 500 validation figures).
_base_ = ['./rtmpose-x0.25_1xb32-12e_synthetic-figures-64x48.py']
model = dict(backbone=dict(widen_factor=0.375),
             head=dict(in_channels=192))  # 512 * widen_factor

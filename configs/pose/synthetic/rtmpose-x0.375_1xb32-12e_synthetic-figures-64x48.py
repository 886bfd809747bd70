# ./rtmpose-x0.25_1xb32-12e_synthetic-figures-64x48.py with CSPNeXt at
# RTMPose-t's width (0.375): a stronger model of the same family, e.g. a
# mentor for the x0.125 student.
_base_ = ['./rtmpose-x0.25_1xb32-12e_synthetic-figures-64x48.py']
model = dict(backbone=dict(widen_factor=0.375),
             head=dict(in_channels=192))  # 512 * widen_factor

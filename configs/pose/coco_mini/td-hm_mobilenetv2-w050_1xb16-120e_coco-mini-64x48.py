# ./td-hm_res18-c16_1xb16-120e_coco-mini-64x48.py on MobileNetV2 at half
# width (mmpose's td-hm_mobilenetv2 recipe's backbone, stopped at stride 16:
# stage 4, 48 channels), a mentor of another backbone family.
_base_ = ['./td-hm_res18-c16_1xb16-120e_coco-mini-64x48.py']
model = dict(
    backbone=dict(
        _delete_=True, type='MobileNetV2', widen_factor=0.5,
        out_indices=(4, )),
    head=dict(in_channels=48))

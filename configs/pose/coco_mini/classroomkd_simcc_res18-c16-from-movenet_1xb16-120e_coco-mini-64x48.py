# The SimCC ResNet-18/16 student of ./simcc_res18-c16_1xb16-120e_coco-mini-64x48.py
# taught by a pretrained mentor given as a model file: MoveNet SinglePose
# Lightning (int8 TFLite, Google, Apache-2.0; ../shared/data/models/movenet/,
# run by LiteRT, package ai-edge-litert). MoveNet takes the student's 64x48
# crop padded into its 192x192 input and returns (y, x, score) per COCO
# keypoint; its bridge renders them as the student's own SimCC target
# (docs/file_mentors.md). No checkpoint: the file is the mentor.
_base_ = ['./simcc_res18-c16_1xb16-120e_coco-mini-64x48.py']

model = dict(
    _delete_=True,
    type='classroomkd_mm.ClassroomDistiller',
    student=_base_.model,
    mentors=dict(
        movenet=dict(model=dict(
            type='classroomkd_mm.FileMentor', preset='movenet_singlepose',
            file='../shared/data/models/movenet/'
            'movenet_singlepose_lightning_int8.tflite'))),
    policy=dict(type='KnowledgeFilter'),
    mentoring=dict(type='MentoringLoss', tau=12.0, base_temperature=1.0,
                   loss_weight=1.0))

"""mmpretrain's mixup configs: a MultiLabelLinearClsHead trained with a
softmax CrossEntropyLoss on single-label data is a single-label classifier."""
import pytest
import torch
from tests.helpers.zoo_models import zoo_model

pytest.importorskip('mmpretrain')


def tiny(path, num_classes=5):
    model = zoo_model(path, 'mmpretrain', tiny=False)
    model['backbone'].update(depth=18, base_channels=8, stem_channels=8)
    model['head'].update(in_channels=64, num_classes=num_classes)
    model['data_preprocessor']['num_classes'] = num_classes
    return model


def test_mixup_head_with_softmax_loss_distils(tmp_path):
    from mmpretrain.structures import DataSample

    from classroomkd_mm.models import ClassroomDistiller
    from classroomkd_mm.models.adapters import ClassifierAdapter
    from classroomkd_mm.registry import MODELS

    student = tiny('resnet/resnet50_8xb32-mixup_in1k.py')
    assert student['head']['type'] == 'MultiLabelLinearClsHead'
    assert ClassifierAdapter.supports(MODELS.build(student))
    sigmoid = dict(student, head=dict(student['head'], loss=dict(
        type='CrossEntropyLoss', use_sigmoid=True)))
    assert not ClassifierAdapter.supports(MODELS.build(sigmoid))

    mentor = tiny('resnet/resnet18_8xb32_in1k.py')
    path = str(tmp_path / 'mentor.pth')
    torch.save(dict(state_dict=MODELS.build(mentor).state_dict()), path)
    model = ClassroomDistiller(
        student=student, mentors=dict(m=dict(model=mentor, checkpoint=path)))
    torch.manual_seed(0)
    data = dict(
        inputs=[torch.randint(0, 255, (3, 32, 32), dtype=torch.uint8)
                for _ in range(4)],
        data_samples=[DataSample().set_gt_label(i % 5) for i in range(4)])
    data = model.data_preprocessor(data, training=True)  # mixup: gt_score
    assert 'gt_score' in data['data_samples'][0]
    losses = model.loss(data['inputs'], data['data_samples'])
    assert torch.isfinite(losses['distill.loss_mentoring'])
    assert torch.isfinite(losses['student.loss'])


def test_multi_label_samples_are_refused():
    from mmpretrain.structures import DataSample

    from classroomkd_mm.models.adapters import ClassifierAdapter
    samples = [DataSample().set_gt_label([0, 2])]
    with pytest.raises(ValueError, match='single-label data'):
        ClassifierAdapter().targets(samples, torch.device('cpu'))

"""tools/export_student.py: a full distiller checkpoint -> a published
student checkpoint that the plain student config loads through mmpretrain's
and mmpose's inference APIs."""
import hashlib
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config

from tests.helpers.tiny_runs import (REPO, load_tool, run_config, save_mentors,
                                     write_image_folder)
from tests.helpers.tiny_classifiers import classifier_cfg

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')

export_tool = load_tool('export_student')

SAMPLE_COCO = osp.join(REPO, 'data', 'samples', 'coco')
POSE_STUDENT = osp.join(
    REPO, 'configs', 'pose', 'samples',
    'td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py')


def check_published(path, stem, expected_state):
    assert re.fullmatch(re.escape(stem) + r'-[0-9a-f]{8}\.pth', path)
    with open(path, 'rb') as f:
        assert hashlib.sha256(f.read()).hexdigest()[:8] == path[-12:-4]
    published = torch.load(path, weights_only=True)  # no allow-list needed
    assert set(published) == {'state_dict', 'meta'}
    assert published['state_dict'].keys() == expected_state.keys()
    for key, value in expected_state.items():
        assert torch.equal(published['state_dict'][key], value), key
    return published


@pytest.mark.slow
def test_classifier_student_through_mmpretrain_apis(tmp_path):
    from mmengine.runner import Runner
    from mmpretrain.apis import ImageClassificationInferencer, get_model
    data = write_image_folder(str(tmp_path / 'data'))
    runner = Runner.from_cfg(Config(run_config(
        data, str(tmp_path / 'work'), save_mentors(str(tmp_path)),
        max_epochs=1)))
    runner.train()
    student = runner.model.student
    stem = str(tmp_path / 'zoo' / 'tiny_classroomkd')
    path = export_tool.main([str(tmp_path / 'work' / 'epoch_1.pth'),
                             stem + '.pth'])
    published = check_published(path, stem, student.state_dict())
    assert published['meta']['epoch'] == 1
    assert published['meta']['dataset_meta']['classes'] == \
        ('c0', 'c1', 'c2', 'c3')

    plain = Config(dict(
        model=classifier_cfg(4), default_scope='mmpretrain',
        test_dataloader=dict(dataset=dict(pipeline=[
            dict(type='LoadImageFromFile'), dict(type='PackInputs')]))))
    model = get_model(plain, pretrained=path)
    for key, value in student.state_dict().items():
        assert torch.equal(model.state_dict()[key], value), key
    assert list(model._dataset_meta['classes']) == ['c0', 'c1', 'c2', 'c3']

    image = osp.join(data, 'c2', '0.png')
    result = ImageClassificationInferencer(
        model=plain, pretrained=path, device='cpu')(image)[0]
    student.eval()
    with torch.no_grad():
        import mmcv
        img = torch.from_numpy(mmcv.imread(image)).permute(2, 0, 1)
        expected = student.test_step(dict(inputs=[img]))[0]
    torch.testing.assert_close(torch.as_tensor(result['pred_scores']),
                               expected.pred_score)
    assert result['pred_class'] == 'c%d' % expected.pred_label.item()


def test_pose_student_through_mmpose_apis(tmp_path):
    pytest.importorskip('mmpose')
    from mmengine.logging import MessageHub
    from mmpose.apis import inference_topdown, init_model
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from mmpose.utils import register_all_modules

    from classroomkd_mm.models import ClassroomDistiller
    register_all_modules()
    student_cfg = Config.fromfile(POSE_STUDENT).model.to_dict()
    mentor = str(tmp_path / 'mentor.pth')
    torch.manual_seed(1)
    from mmpose.registry import MODELS
    torch.save(dict(state_dict=MODELS.build(student_cfg).state_dict()),
               mentor)
    torch.manual_seed(0)
    distiller = ClassroomDistiller(
        student=student_cfg,
        mentors=dict(peer=dict(model=student_cfg, checkpoint=mentor)))
    # what MMEngine's Runner saves: meta with numpy dataset_meta, optimizer,
    # message hub (HistoryBuffer)
    hub = MessageHub.get_instance('export-test')
    hub.update_scalar('train/loss', 0.5)
    meta = dict(epoch=0, iter=300, dataset_meta=parse_pose_metainfo(
        dict(from_file='configs/_base_/datasets/coco.py')))
    full = str(tmp_path / 'iter_300.pth')
    torch.save(dict(meta=meta, state_dict=distiller.state_dict(),
                    optimizer=torch.optim.Adam(
                        distiller.student.parameters()).state_dict(),
                    message_hub=hub.state_dict()), full)

    stem = str(tmp_path / 'res18_classroomkd_coco-sample')
    path = export_tool.export_student(full, stem)
    published = check_published(path, stem, distiller.student.state_dict())
    assert published['meta']['iter'] == 300
    assert published['meta']['dataset_meta']['num_keypoints'] == 17

    model = init_model(POSE_STUDENT, path, device='cpu')
    for key, value in distiller.student.state_dict().items():
        assert torch.equal(model.state_dict()[key], value), key
    results = inference_topdown(
        model, osp.join(SAMPLE_COCO, '000000196141.jpg'),
        [[100., 100., 300., 400.]], bbox_format='xyxy')
    keypoints = results[0].pred_instances.keypoints
    assert keypoints.shape == (1, 17, 2)
    assert model.dataset_meta['keypoint_id2name'][0] == 'nose'


def test_a_checkpoint_without_student_weights_is_refused(tmp_path):
    path = str(tmp_path / 'plain.pth')
    torch.save(dict(state_dict={}, meta={}), path)
    with pytest.raises(ValueError, match=r'holds no student weights.*'
                       r'Pass the epoch_\*.pth'):
        export_tool.export_student(path, str(tmp_path / 'out'))

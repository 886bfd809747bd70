from .feature_mse_loss import FeatureMSELoss, feature_mse, match_spatial_size
from .heatmap_kl_divergence import (HeatmapKLDivergence, HeatmapMSEDivergence,
                                    heatmap_kl_divergence,
                                    heatmap_mse_divergence)
from .keypoint_weighting import visible_keypoint_mean
from .logit_kl_divergence import LogitKLDivergence, logit_kl_divergence
from .mentoring_loss import MentoringLoss, gap_temperatures
from .simcc_kl_divergence import SimCCKLDivergence, simcc_kl_divergence
from .softened_kl import softened_kl

__all__ = ['FeatureMSELoss', 'HeatmapKLDivergence', 'HeatmapMSEDivergence',
           'LogitKLDivergence', 'MentoringLoss', 'SimCCKLDivergence',
           'feature_mse', 'gap_temperatures', 'heatmap_kl_divergence',
           'heatmap_mse_divergence', 'logit_kl_divergence',
           'match_spatial_size', 'simcc_kl_divergence', 'softened_kl',
           'visible_keypoint_mean']

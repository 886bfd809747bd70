from .logit_kl_divergence import LogitKLDivergence, logit_kl_divergence
from .mentoring_loss import MentoringLoss, gap_temperatures

__all__ = ['LogitKLDivergence', 'MentoringLoss', 'gap_temperatures',
           'logit_kl_divergence']

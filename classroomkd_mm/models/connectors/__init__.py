from .conv_connector import ConvConnector

__all__ = ['ConvConnector']

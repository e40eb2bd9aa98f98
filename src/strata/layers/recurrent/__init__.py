"""Recurrent layers: LSTM, GRU, SimpleRNN, ConvLSTM, their cells, RNN and the wrappers."""

from strata.layers.recurrent.bidirectional import Bidirectional
from strata.layers.recurrent.conv_lstm1d import ConvLSTM1D
from strata.layers.recurrent.conv_lstm2d import ConvLSTM2D
from strata.layers.recurrent.conv_lstm3d import ConvLSTM3D
from strata.layers.recurrent.gru import GRU
from strata.layers.recurrent.gru_cell import GRUCell
from strata.layers.recurrent.lstm import LSTM
from strata.layers.recurrent.lstm_cell import LSTMCell
from strata.layers.recurrent.rnn import RNN
from strata.layers.recurrent.simple_rnn import SimpleRNN
from strata.layers.recurrent.simple_rnn_cell import SimpleRNNCell
from strata.layers.recurrent.stacked_rnn_cells import StackedRNNCells
from strata.layers.recurrent.time_distributed import TimeDistributed

__all__ = [
    "Bidirectional",
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "SimpleRNN",
    "SimpleRNNCell",
    "StackedRNNCells",
    "TimeDistributed",
]

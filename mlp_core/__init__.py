"""mlp_core: the engine of *Backprop from Scratch*.

A multi-layer perceptron in numpy, vectorised over the batch, with back-propagation written as
Nielsen's four equations in his index (``net.layers[l]`` is layer l, ``net.layers[0]`` the
input), lesson 07's training loop, gradient checking, and the data the lessons use. What the
lessons add lives in ``mlp_core.course``, the notebook tools in ``mlp_core.tools``.

>>> from mlp_core import MLP, train
>>> from mlp_core.datasets import make_moons
>>> X, y = make_moons(200, noise=0.1, seed=0)
>>> net = MLP([2, 8, 2], init="xavier", seed=0)
>>> history = train(net, X, y, epochs=5, batch_size=10, lr=1.0, seed=0, progress=False)
"""

from mlp_core import datasets
from mlp_core.activations import (
                                  ACTIVATIONS,
                                  relu,
                                  relu_prime,
                                  sigmoid,
                                  sigmoid_prime,
                                  softmax,
                                  tanh,
                                  tanh_prime,
)
from mlp_core.gradcheck import gradcheck, numerical_gradient, relative_error
from mlp_core.network import MLP, InputLayer, Layer
from mlp_core.train import History, TrainingDiverged, train

__version__ = "0.3.0"

__all__ = ["MLP", "InputLayer", "Layer", "train", "History", "TrainingDiverged", "gradcheck",
           "numerical_gradient", "relative_error", "datasets", "ACTIVATIONS", "sigmoid",
           "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime", "softmax"]

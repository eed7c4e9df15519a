"""The post's code, kept as written on purpose, bugs included.

This is the ``MLP`` of "Back-propagation from scratch (Python)" (the post the course grows from),
copied line for line so that lessons can run it beside ``mlp_core`` and show where the two agree
and where the post goes wrong. Do not fix it here: its flaws are what lessons 04 and 05 teach.
What it does, in its own shapes (one sample per *row* for x, y, y_hat and the deltas):

- ``forward(x)``: x (N, n_0) or one sample (n_0,); returns y_hat (N, n_L). Right for any N.
- ``loss(y_hat, y)``: ``np.mean((y_hat - y)**2)/2``, which divides by N *and* by n_L, so it is
  Nielsen's quadratic cost divided by n_L (lesson 04).
- ``accuracy(y_hat, y)``: a loop that one-hot encodes each row's argmax and compares it with y.
- ``backpropagation(x, y, y_hat, learning_rate)``: right for one sample (x (1, n_0), y (1, n_L));
  for a batch, ``d_b = deltas[i]`` keeps N rows (and the update then turns b into N rows), and
  ``deltas[i].T * x`` is an outer product only when N = 1 (lesson 05).

Adapted only so it runs: ``scipy.stats.logistic.cdf`` is replaced by ``mlp_core``'s sigmoid (the
same function, without needing scipy), the post's ``Layer`` base class, which it never shows, is a
bare attribute holder, the methods sit in the class the post's ``MLP.sigmoid`` calls imply, and
trailing spaces are trimmed. The weights come from ``np.random.randn``, as in the post: seed
``np.random`` before building one, or copy weights in from an ``mlp_core.MLP``.
"""

# The post's long lines and the tab before "# update gradients" are part of what is kept.
# ruff: noqa: E501, E101, W191

import numpy as np

from mlp_core.activations import sigmoid as logistic_cdf


class Layer:
    """The post's ``Layer``: it only holds the attributes ``MLP.__init__`` gives it."""


class MLP(Layer): # Multi Layer Perceptron
    def __init__(self, neurons_per_layer):
        ''' SHAPE of each variable
        W - n(i+1) x n(i), which means the shape of W is the number of neurons in layer(i+1) x number of neurons in layer(i)
        b - 1 x n(i+1)
        a - 1 x n(i+1)
        z - 1 x n(i+1)
        d_W - n(i+1) x n(i) (same with W, think for why)
        d_b - 1 x n(i+1)
        d_a - 1 x n(i+1)
        d_z - 1 x n(i+1)
        '''

        super().__init__()

        self.layer={}

        for i in range(0,len(neurons_per_layer)-1) :
            self.layer[i]=Layer()
            self.layer[i].W=(10**(-1))*np.random.randn(neurons_per_layer[i+1],neurons_per_layer[i])
            self.layer[i].b=np.zeros((1,neurons_per_layer[i+1]))
            self.layer[i].a=np.zeros((1,neurons_per_layer[i+1]))
            self.layer[i].z=np.zeros((1,neurons_per_layer[i+1]))
            self.layer[i].d_W=np.zeros((neurons_per_layer[i+1],neurons_per_layer[i]))
            self.layer[i].d_b=np.zeros((1,neurons_per_layer[i+1]))
            self.layer[i].d_a=np.zeros((1,neurons_per_layer[i+1]))
            self.layer[i].d_z=np.zeros((1,neurons_per_layer[i+1]))

        self.losses=[]
        self.accuracies=[]

    def sigmoid(a):
        return np.array(logistic_cdf(a))

    def d_sigmoid(a):
        return MLP.sigmoid(a)*(1-MLP.sigmoid(a))

    def forward(self, x) :
        if x.ndim == 1:
            # if input is 1D, we reshape it to D_input x N, where N is the number of samples in one batch.
            # For example, if you want to train more than 1 sample in one time, the input size can be N=1000
            x = x.reshape(x.shape[0],1)
        else:
            # if input is 2D, we also reshape it D_input x N
            x = x.T

        num_layer = len(self.layer.keys())

        for i in range(num_layer):
            if i == 0:
                '''
                - W: n(0) x n(input)
                - x: n(input) x N
                - b: 1 x n(0)
                '''
                self.layer[i].z = (self.layer[i].W) @ x + self.layer[i].b.T
            else:
                '''
                - W: n(i) x n(i-1)
                - a: n(i-1) x N
                - b: 1 x n(0)
                - z: n(i) x N
                '''
                self.layer[i].z = self.layer[i].W @ self.layer[i-1].a + self.layer[i].b.T
            self.layer[i].a = MLP.sigmoid(self.layer[i].z)

        y_hat = self.layer[num_layer-1].a.T

        return y_hat

    def backpropagation(self,x,y,y_hat,learning_rate) :
        '''
        - deltas[i]: 1 x [this_layer]  (N=1 is the number of samples, and D_0 is the number of neurons in hidden layer 1)
        - d_W: same with W, [this_layer] x [previous_layer]
        - x: 1 x [input_layer] (N=1 is the number of samples)
        - a: [this_layer] x 1 (N=1 is the number of samples)
        - y, y_hat: 1 x C
        - z: [this_layer] x 1
        - d_b: 1 x [this_layer]
        '''

        deltas = {}
        num_layer = len(self.layer.keys())

        for i in reversed(range(num_layer)):
            # step1: compute error: delta
            if i == num_layer-1:
                deltas[i] = (y_hat - y) * MLP.d_sigmoid(self.layer[i].z).T
            else:
                deltas[i] = deltas[i+1] @ self.layer[i+1].W * MLP.d_sigmoid(self.layer[i].z).T

            # step2: compute d_b
            self.layer[i].d_b = deltas[i]

            # step3: compute d_W
            if i == 0:
                self.layer[i].d_W = deltas[i].T * x
            else:
                self.layer[i].d_W = deltas[i].T * self.layer[i-1].a.T


    	# update gradients
        for i in range(num_layer):
            self.layer[i].W = self.layer[i].W - learning_rate*self.layer[i].d_W
            self.layer[i].b = self.layer[i].b - learning_rate*self.layer[i].d_b


def loss(y_hat, y) :
    '''
    - y_hat : NxC
    - y : NxC
    - L : MSE loss
    '''

    L = np.mean((y_hat - y)**2)/2

    return L


def accuracy(y_hat,y) :
    n=0
    y_hat_chosen = np.zeros(y_hat.shape)

    for i in range(y.shape[0]):
        argmax = np.argmax(y_hat[i])
        y_hat_chosen[i][argmax] = 1

        if (y_hat_chosen[i] == y[i]).all():
            n += 1

    acc = float(n/y.shape[0])

    return acc


# The post gives these no docstring; the project wants one on every public function, so they are
# attached here, outside the copied code (``inspect.getsource`` still shows the post's lines).
MLP.sigmoid.__doc__ = "The post's sigmoid: logistic.cdf(a), elementwise; any shape."
MLP.d_sigmoid.__doc__ = "The post's σ'(a) = σ(a)(1 − σ(a)), elementwise; any shape."
MLP.forward.__doc__ = ("The post's forward pass: x (N, n_0) or one sample (n_0,); returns y_hat "
                       "(N, n_L) and leaves z, a (n_i, N) on every layer.")
accuracy.__doc__ = ("The post's accuracy loop: y_hat, y (N, C); the fraction of rows whose "
                    "one-hot argmax equals y's row exactly.")

"""The exercises of the course and, for each, the typical wrong answer a learner writes.

``EXERCISES`` maps an exercise's nbgrader ``grade_id`` (the id of its solution cell, e.g.
``"05-backward_pass"``; its check cell is ``"05-check-backward_pass"``) to an ``Exercise``:
the lesson, the function, the exercises whose answers it calls (``needs``), and the typical
mistakes: each the code a learner writes in place of the solution region, with the words its
check's ✗ line must contain (``wrong`` and ``hint`` for the first, ``more`` for the others). A
teacher can read it as a list of what students get wrong; the tests plant every mistake in a
student notebook, one hand-in per mistake, and grade it with nbgrader.

The exercises that return something per layer use the one index of the course: a dict keyed
by l = 1 .. L, as ``net.layers[l]`` and ``gradcheck`` number the layers (lessons 02, 05, 09).

``SHAPE_SLIP`` is a solution body that raises numpy's ``ValueError`` the way a shape slip does,
for the tests that make every exercise raise.
"""

from dataclasses import dataclass

SHAPE_SLIP = "np.zeros((3, 5)) + np.zeros((5, 3))   # a shape slip: (3, 5) + (5, 3)\n"


@dataclass(frozen=True)
class Mistake:
    """One typical mistake: ``wrong`` (the solution region a learner writes, unindented code)
    and ``hint`` (text the check's ✗ line prints for it)."""

    wrong: str
    hint: str


@dataclass(frozen=True)
class Exercise:
    """One exercise: ``lesson`` (file stem), ``function`` (what the learner writes),
    ``needs`` (grade_ids of the exercises its solution calls), ``wrong`` (a typical wrong
    solution region, unindented code), ``hint`` (text its check prints for that mistake) and
    ``more``, further typical mistakes (``Mistake``s) with their own hints."""

    lesson: str
    function: str
    wrong: str
    hint: str
    needs: tuple = ()
    more: tuple = ()

    @property
    def mistakes(self):
        """Every typical mistake of the exercise, the first (``wrong``, ``hint``) first."""
        return (Mistake(self.wrong, self.hint), *self.more)

    @property
    def check_id(self):
        """The grade_id of the exercise's check cell."""
        number, _, _ = self.lesson.partition("_")
        return f"{number}-check-{self.function}"


EXERCISES = {
    "01-my_sigmoid": Exercise(
        "01_neuron", "my_sigmoid",
        "return 1 / (1 + np.exp(-z))                  # the textbook formula, unguarded\n",
        "exp(-z) overflows for z = -1000",
        more=(Mistake(
            "return 1 / (1 + np.exp(-np.clip(z, -20, 20)))  # z clipped to dodge the overflow\n",
            "the tiny values far from 0 must be right too; clipping z changes them"),)),
    "01-my_sigmoid_prime": Exercise(
        "01_neuron", "my_sigmoid_prime",
        "return z * (1 - z)                           # a(1 - a) with z for a\n",
        "you computed z(1 - z)", needs=("01-my_sigmoid",),
        more=(Mistake(
            "return my_sigmoid(z) * (1 - my_sigmoid(-z))  # 1 - σ(-z) where 1 - σ(z) belongs\n",
            "you computed σ(z)(1 - σ(-z)) = σ(z)²"),)),
    "02-predict_shapes": Exercise(
        "02_shapes", "predict_shapes",
        "for l in range(1, len(sizes)):               # b and db as the post's rows\n"
        "    n_in, n_out = sizes[l - 1], sizes[l]\n"
        "    shapes[l] = {\"W\": (n_out, n_in), \"b\": (1, n_out),\n"
        "                 \"z\": (n_out, N), \"a\": (n_out, N), \"delta\": (n_out, N),\n"
        "                 \"dW\": (n_out, n_in), \"db\": (1, n_out)}\n",
        "that is the post's row"),
    "03-layer_forward": Exercise(
        "03_forward", "layer_forward",
        "z = W @ A_prev                               # the bias forgotten\n"
        "a = sigmoid(z)\n",
        "the bias b is missing",
        more=(Mistake(
            "z = W @ A_prev + b\n"
            "a = z                                        # σ forgotten: z returned as a\n",
            "that is z; apply the sigmoid: a = σ(z)"),)),
    "03-network_forward": Exercise(
        "03_forward", "network_forward",
        "A = X.T\n"
        "for layer in net.layers[1:]:\n"
        "    _, A = layer_forward(layer.W, layer.b, A)\n"
        "return A                                     # (n_L, N): the transpose forgotten\n",
        "Y_hat = a[L].T, one sample per row", needs=("03-layer_forward",),
        more=(Mistake(
            "A = X.T\n"
            "for l in range(1, net.L):                    # stops before the output layer L\n"
            "    _, A = layer_forward(net.layers[l].W, net.layers[l].b, A)\n"
            "return A.T\n",
            "a layer was skipped"),)),
    "04-quadratic_cost": Exercise(
        "04_cost", "quadratic_cost",
        "return float(np.mean((Y_hat - Y) ** 2) / 2)  # the post's loss\n",
        "this is the post's np.mean((y_hat - y)**2)/2"),
    "04-accuracy": Exercise(
        "04_cost", "accuracy",
        "return float(np.mean(np.argmax(Y_hat, axis=1) == np.argmax(Y, axis=1)))\n",
        "with one output, the argmax of every row is 0"),
    "04-softmax_cross_entropy_delta": Exercise(
        "04_cost", "softmax_cross_entropy_delta",
        "E = np.exp(Z)                                # no column max subtracted\n"
        "return E / E.sum(axis=0, keepdims=True) - Y\n",
        "subtract each column's own maximum first",
        more=(Mistake(
            "E = np.exp(Z - Z.max(axis=0, keepdims=True))\n"
            "A = E / E.sum(axis=0, keepdims=True)\n"
            "return (A - Y) * A * (1 - A)                 # a sigmoid's σ' kept\n",
            "a σ'-style factor"),
            Mistake(
            "E = np.exp(Z - Z.max(axis=0, keepdims=True))\n"
            "A = E / E.sum(axis=0, keepdims=True)\n"
            "return (A - Y) * sigmoid_prime(Z)            # BP1 of a sigmoid, quadratic cost\n",
            "this is (a − y) ⊙ σ′(z)"),
            Mistake(
            "E = np.exp(Z - Z.max(axis=1, keepdims=True)) # over the samples, axis=1\n"
            "return E / E.sum(axis=1, keepdims=True) - Y\n",
            "this softmax runs over axis=1, across the samples"))),
    "05-backward_pass": Exercise(
        "05_four_equations", "backward_pass",
        "delta = net.layers[L].a - Y.T\n"
        "for l in range(L, 0, -1):\n"
        "    db[l] = delta.mean(axis=1, keepdims=True)\n"
        "    dW[l] = delta @ net.layers[l - 1].a.T / N\n"
        "    if l > 1:                                # W where W.T belongs\n"
        "        delta = (net.layers[l].W @ delta) * (1 - net.layers[l - 1].a ** 2)\n",
        "W is not transposed in BP2",
        more=(Mistake(
            "delta = net.layers[L].a - Y.T\n"
            "for l in range(L, 0, -1):\n"
            "    db[l] = delta.mean(axis=1, keepdims=True)\n"
            "    dW[l] = delta @ net.layers[l - 1].a.T / N\n"
            "    if l > 1:                                # the sigmoid's σ' copied for tanh'\n"
            "        delta = (net.layers[l].W.T @ delta) * sigmoid_prime(net.layers[l - 1].z)\n",
            "BP2 uses sigmoid_prime, the sigmoid's σ′, but the hidden layers are tanh"),
            Mistake(
            "delta = net.layers[L].a - Y.T\n"
            "for l in range(L, 0, -1):\n"
            "    db[l] = delta.mean(axis=1, keepdims=True)\n"
            "    dW[l] = delta @ net.layers[l - 1].a.T / N\n"
            "    if l > 1:                                # tanh' at a[l-1] where z[l-1] belongs\n"
            "        delta = (net.layers[l].W.T @ delta) * tanh_prime(net.layers[l - 1].a)\n",
            "you computed 1 − tanh(a[l])², tanh′ at a"),
            Mistake(
            "out = net.layers[L]                          # a sigmoid's factor kept in BP1\n"
            "delta = (out.a - Y.T) * out.a * (1 - out.a)\n"
            "for l in range(L, 0, -1):\n"
            "    db[l] = delta.mean(axis=1, keepdims=True)\n"
            "    dW[l] = delta @ net.layers[l - 1].a.T / N\n"
            "    if l > 1:\n"
            "        delta = (net.layers[l].W.T @ delta) * (1 - net.layers[l - 1].a ** 2)\n",
            "BP1 has an extra activation-derivative factor"),
            Mistake(
            "delta = net.layers[L].a - Y.T\n"
            "for l in range(L, 0, -1):                    # sums over the batch, no 1/N\n"
            "    db[l] = delta.sum(axis=1, keepdims=True)\n"
            "    dW[l] = delta @ net.layers[l - 1].a.T\n"
            "    if l > 1:\n"
            "        delta = (net.layers[l].W.T @ delta) * (1 - net.layers[l - 1].a ** 2)\n",
            "a sum over the batch where a mean belongs"),
            Mistake(
            "delta = net.layers[L].a - Y.T\n"
            "for l in range(L, 0, -1):\n"
            "    db[l] = delta.mean(axis=1, keepdims=True)\n"
            "    prev = net.layers[l - 1]                 # z[l-1] where a[l-1] belongs\n"
            "    dW[l] = delta @ (prev.z if l > 1 else prev.a).T / N\n"
            "    if l > 1:\n"
            "        delta = (net.layers[l].W.T @ delta) * (1 - prev.a ** 2)\n",
            "BP4 multiplies by z[l-1]"))),
    "06-my_relative_error": Exercise(
        "06_gradient_checking", "my_relative_error",
        "return float(np.linalg.norm(g - g_ref))      # the absolute error\n",
        "that is the absolute error"),
    "06-gradcheck_layer": Exercise(
        "06_gradient_checking", "gradcheck_layer",
        "layer = net.layers[l]\n"
        "numeric = []\n"
        "for theta in (layer.W, layer.b):\n"
        "    grad = np.zeros_like(theta)\n"
        "    for idx in np.ndindex(theta.shape):\n"
        "        w = theta[idx]\n"
        "        C_0 = net.loss(X, Y)\n"
        "        theta[idx] = w + eps\n"
        "        C_plus = net.loss(X, Y)\n"
        "        theta[idx] = w\n"
        "        grad[idx] = (C_plus - C_0) / eps     # a one-sided difference\n"
        "    numeric.append(grad)\n"
        "net.forward(X)\n"
        "net.backward(Y)\n"
        "return relative_error(layer.dW, numeric[0]), relative_error(layer.db, numeric[1])\n",
        "one-sided difference"),
    "07-train_loop": Exercise(
        "07_training_loop", "train_loop",
        "history = History()\n"
        "N = X.shape[0]\n"
        "for epoch in range(1, epochs + 1):\n"
        "    total_cost, correct = 0.0, 0\n"
        "    for first in range(0, N, batch_size):    # the same order every epoch\n"
        "        idx = np.arange(first, min(first + batch_size, N))\n"
        "        Y_hat = net.forward(X[idx])\n"
        "        cost = net.backward(y[idx])\n"
        "        total_cost += cost * len(idx)\n"
        "        correct += int(np.sum(np.argmax(Y_hat, axis=1) == y[idx]))\n"
        "        net.step(lr)\n"
        "    history.loss.append(total_cost / N)\n"
        "    history.accuracy.append(correct / N)\n"
        "    history.samples_seen.append(epoch * N)\n"
        "    if X_val is not None:\n"
        "        history.val_loss.append(net.loss(X_val, y_val))\n"
        "        history.val_accuracy.append(net.accuracy(X_val, y_val))\n"
        "return history\n",
        "unshuffled"),
    "08-confusion_matrix": Exercise(
        "08_digits", "confusion_matrix",
        "C = np.zeros((n_classes, n_classes), dtype=int)\n"
        "for i, j in zip(y_true, y_pred):\n"
        "    C[j, i] += 1                             # predicted, true: swapped\n"
        "return C\n",
        "rows and columns are swapped"),
    "08-per_class_accuracy": Exercise(
        "08_digits", "per_class_accuracy",
        "return np.diag(C) / C.sum(axis=0)            # column sums for row sums\n",
        "divided by the column sums"),
    "08-most_confident_mistakes": Exercise(
        "08_digits", "most_confident_mistakes",
        "confidence = Y_hat.max(axis=1)               # every sample, right ones too\n"
        "return np.argsort(-confidence)[:k]\n",
        "right ones included"),
    "09-layer_gradient_norms": Exercise(
        "09_pitfalls", "layer_gradient_norms",
        "net.forward(X)\n"
        "net.backward(Y)\n"
        "return {l: np.linalg.norm(net.layers[l].dW)  # ‖dW[l]‖ where ‖db[l]‖ belongs\n"
        "        for l in range(1, net.L + 1)}\n",
        "that is ‖dW[l]‖"),
    "09-output_delta": Exercise(
        "09_pitfalls", "output_delta",
        "a = sigmoid(z)\n"
        "return a - y                                 # σ'(z) dropped for both costs\n",
        "σ'(z) is missing"),
    "10-spiral_settings": Exercise(
        "10_playground", "spiral_settings",
        "return {\"hidden_layers\": 1, \"neurons\": 2, \"activation\": \"tanh\", \"lr\": 0.3}\n",
        "does not even separate the training points"),
}


def exercises_of(lesson):
    """The grade_ids of the exercises of ``lesson`` (a file stem such as "03_forward"), in
    the order they appear."""
    return [grade_id for grade_id, ex in EXERCISES.items() if ex.lesson == lesson]

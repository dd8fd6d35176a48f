"""PB2's explore (Population Based Bandits: a GP-bandit over the population's results) without Ray: the text of
this module is carried into a generated PB2 scheduler, as pbt_explore is into PBT's.

Ray's code (ray/tune/schedulers/pb2.py `_select_config` / `_explore` / `PB2._save_trial_state` /
`PB2._get_new_config`, and pb2_utils.py), Ray 2.x, Apache License 2.0 (Copyright The Ray Authors), with Ray's
Trial objects replaced by trial names. Needs numpy, pandas, scipy and scikit-learn on the scheduler's machine
(what Ray's PB2 needs). tests/test_pbt_pb2.py measures it against Ray's PB2.
"""

# --- carried into the generated scheduler from here on ---
from copy import deepcopy

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import Hyperparameter, Kernel
from sklearn.metrics import pairwise_distances
from sklearn.metrics.pairwise import euclidean_distances


class TV_SquaredExp(Kernel):
    """Time varying squared exponential kernel.
    For more info see the TV-GP-UCB paper:
    http://proceedings.mlr.press/v51/bogunovic16.pdf
    """

    def __init__(
        self,
        variance=1.0,
        lengthscale=1.0,
        epsilon=0.1,
        variance_bounds=(1e-5, 1e5),
        lengthscale_bounds=(1e-5, 1e5),
        epsilon_bounds=(1e-5, 0.5),
    ):
        self.variance = variance
        self.lengthscale = lengthscale
        self.epsilon = epsilon
        self.variance_bounds = variance_bounds
        self.lengthscale_bounds = lengthscale_bounds
        self.epsilon_bounds = epsilon_bounds

    @property
    def hyperparameter_variance(self):
        return Hyperparameter("variance", "numeric", self.variance_bounds)

    @property
    def hyperparameter_lengthscale(self):
        return Hyperparameter("lengthscale", "numeric", self.lengthscale_bounds)

    @property
    def hyperparameter_epsilon(self):
        return Hyperparameter("epsilon", "numeric", self.epsilon_bounds)

    def __call__(self, X, Y=None, eval_gradient=False):
        X = np.atleast_2d(X)
        if Y is None:
            Y = X

        epsilon = np.clip(self.epsilon, 1e-5, 0.5)

        # Time must be in the first column
        T1 = X[:, 0].reshape(-1, 1)
        T2 = Y[:, 0].reshape(-1, 1)
        dists = pairwise_distances(T1, T2, "cityblock")
        timekernel = (1 - epsilon) ** (0.5 * dists)

        # RBF kernel on remaining features
        X_spatial = X[:, 1:]
        Y_spatial = Y[:, 1:]
        rbf = self.variance * np.exp(-np.square(euclidean_distances(X_spatial, Y_spatial)) / self.lengthscale)

        K = rbf * timekernel

        if eval_gradient:
            K_gradient_variance = K
            dist2 = np.square(euclidean_distances(X_spatial, Y_spatial))
            K_gradient_lengthscale = K * dist2 / self.lengthscale
            n = dists / 2
            K_gradient_epsilon = -K * n * epsilon / (1 - epsilon)
            return K, np.dstack([K_gradient_variance, K_gradient_lengthscale, K_gradient_epsilon])

        return K

    def diag(self, X):
        return np.full(X.shape[0], self.variance, dtype=np.float64)

    def is_stationary(self):
        return False

    @property
    def theta(self):
        return np.log([self.variance, self.lengthscale, self.epsilon])

    @theta.setter
    def theta(self, theta):
        self.variance = np.exp(theta[0])
        self.lengthscale = np.exp(theta[1])
        self.epsilon = np.exp(theta[2])

    @property
    def bounds(self):
        return np.log(
            [
                list(self.variance_bounds),
                list(self.lengthscale_bounds),
                list(self.epsilon_bounds),
            ]
        )


def normalize(data, wrt):
    """Normalize data to be in range (0,1), with respect to (wrt) boundaries,
    which can be specified.
    """
    return (data - np.min(wrt, axis=0)) / (np.max(wrt, axis=0) - np.min(wrt, axis=0) + 1e-8)


def standardize(data):
    """Standardize to be Gaussian N(0,1). Clip final values."""
    data = (data - np.mean(data, axis=0)) / (np.std(data, axis=0) + 1e-8)
    return np.clip(data, -2, 2)


def UCB(m, m1, x, fixed, kappa=None):
    """UCB acquisition function. Interesting points to note:
    1) We concat with the fixed points, because we are not optimizing wrt
       these. This is the Reward and Time, which we can't change. We want
       to find the best hyperparameters *given* the reward and time.
    2) We use m to get the mean and m1 to get the variance. If we already
       have trials running, then m1 contains this information. This reduces
       the variance at points currently running, even if we don't have
       their label.
       Ref: https://jmlr.org/papers/volume15/desautels14a/desautels14a.pdf

    """
    c1 = 0.2
    c2 = 0.4
    beta_t = c1 + max(0, np.log(c2 * m.X_train_.shape[0]))
    kappa = np.sqrt(beta_t) if kappa is None else kappa

    xtest = np.concatenate((fixed.reshape(-1, 1), np.array(x).reshape(-1, 1))).T

    try:
        mean = m.predict(xtest)[0]
    except ValueError:
        mean = -9999

    try:
        _, std = m1.predict(xtest, return_std=True)
        var = std[0] ** 2
    except ValueError:
        var = 0
    return mean + kappa * var


def optimize_acq(func, m, m1, fixed, num_f):
    """Optimize acquisition function."""

    opts = {"maxiter": 200, "maxfun": 200, "disp": False}

    T = 10
    best_value = -999
    best_theta = m1.X_train_[0, :]

    bounds = [(0, 1) for _ in range(m.X_train_.shape[1] - num_f)]

    for _ in range(T):
        x0 = np.random.uniform(0, 1, m.X_train_.shape[1] - num_f)

        res = minimize(
            lambda x: -func(m, m1, x, fixed),
            x0,
            bounds=bounds,
            method="L-BFGS-B",
            options=opts,
        )

        val = func(m, m1, res.x, fixed)
        if val > best_value:
            best_value = val
            best_theta = res.x

    return np.clip(best_theta, 0, 1)


def select_length(Xraw, yraw, bounds, num_f):
    """Select the number of datapoints to keep, using cross validation"""
    min_len = 200

    if Xraw.shape[0] < min_len:
        return Xraw.shape[0]
    else:
        length = min_len - 10
        scores = []
        while length + 10 <= Xraw.shape[0]:
            length += 10

            base_vals = np.array(list(bounds.values())).T
            X_len = Xraw[-length:, :]
            y_len = yraw[-length:]
            oldpoints = X_len[:, :num_f]
            old_lims = np.concatenate((np.max(oldpoints, axis=0), np.min(oldpoints, axis=0))).reshape(
                2, oldpoints.shape[1]
            )
            limits = np.concatenate((old_lims, base_vals), axis=1)

            X = normalize(X_len, limits)
            y = standardize(y_len).reshape(y_len.size, 1)

            kernel = TV_SquaredExp(variance=1.0, lengthscale=1.0, epsilon=0.1)
            m = GaussianProcessRegressor(kernel=kernel, optimizer="fmin_l_bfgs_b")
            m.fit(X, y)

            scores.append(m.log_marginal_likelihood_value_)
        idx = np.argmax(scores)
        length = (idx + int(min_len / 10)) * 10
        return length


def _select_config(Xraw, yraw, current, newpoint, bounds, num_f):
    """Ray's PB2 _select_config: fit the GP on the formatted data and optimize the UCB acquisition."""
    length = select_length(Xraw, yraw, bounds, num_f)

    Xraw = Xraw[-length:, :]
    yraw = yraw[-length:]

    base_vals = np.array(list(bounds.values())).T
    oldpoints = Xraw[:, :num_f]
    old_lims = np.concatenate((np.max(oldpoints, axis=0), np.min(oldpoints, axis=0))).reshape(2, oldpoints.shape[1])
    limits = np.concatenate((old_lims, base_vals), axis=1)

    X = normalize(Xraw, limits)
    y = standardize(yraw).reshape(yraw.size, 1)

    fixed = normalize(newpoint, oldpoints)

    kernel = TV_SquaredExp(variance=1.0, lengthscale=1.0, epsilon=0.1)

    try:
        m = GaussianProcessRegressor(kernel=kernel, optimizer="fmin_l_bfgs_b", alpha=1e-10)
        m.fit(X, y)
    except np.linalg.LinAlgError:
        # add diagonal ** we would ideally make this something more robust...
        X += np.eye(X.shape[0]) * 1e-3
        m = GaussianProcessRegressor(kernel=kernel, optimizer="fmin_l_bfgs_b", alpha=1e-10)
        m.fit(X, y)

    if current is None:
        m1 = deepcopy(m)
    else:
        # add the current trials to the dataset
        padding = np.array([fixed for _ in range(current.shape[0])])
        current = normalize(current, base_vals)
        current = np.hstack((padding, current))

        Xnew = np.vstack((X, current))
        ypad = np.zeros(current.shape[0])
        ypad = ypad.reshape(-1, 1)
        ynew = np.vstack((y, ypad))

        kernel1 = TV_SquaredExp(variance=1.0, lengthscale=1.0, epsilon=0.1)
        m1 = GaussianProcessRegressor(kernel=kernel1, optimizer="fmin_l_bfgs_b", alpha=1e-10)
        m1.fit(Xnew, ynew)

    xt = optimize_acq(UCB, m, m1, fixed, num_f)

    # convert back...
    xt = xt * (np.max(base_vals, axis=0) - np.min(base_vals, axis=0)) + np.min(base_vals, axis=0)

    xt = xt.astype(np.float32)
    return xt


def _pb2_explore(data, bounds, current, base, old, config):
    """Ray's PB2 _explore: the next config of trial `old` (a name), exploiting trial `base` (a name)."""
    df = data.sort_values(by="Time").reset_index(drop=True)

    # Group by trial ID and hyperparams.
    # Compute change in timesteps and reward.
    df["y"] = df.groupby(["Trial"] + list(bounds.keys()))["Reward"].diff()
    df["t_change"] = df.groupby(["Trial"] + list(bounds.keys()))["Time"].diff()

    # Delete entries without positive change in t.
    df = df[df["t_change"] > 0].reset_index(drop=True)
    df["R_before"] = df.Reward - df.y

    # Normalize the reward change by the update size.
    # For example if trials took diff lengths of time.
    df["y"] = df.y / df.t_change
    df = df[~df.y.isna()].reset_index(drop=True)
    df = df.sort_values(by="Time").reset_index(drop=True)

    # Only use the last 1k datapoints, so the GP is not too slow.
    df = df.iloc[-1000:, :].reset_index(drop=True)

    # We need this to know the T and Reward for the weights.
    dfnewpoint = df[df["Trial"] == str(base)]

    if not dfnewpoint.empty:
        # N ow specify the dataset for the GP.
        y = np.array(df.y.values)
        # Meta data we keep -> episodes and reward.
        # (TODO: convert to curve)
        t_r = df[["Time", "R_before"]]
        hparams = df[bounds.keys()]
        X = pd.concat([t_r, hparams], axis=1).values
        newpoint = df[df["Trial"] == str(base)].iloc[-1, :][["Time", "R_before"]].values
        new = _select_config(X, y, current, newpoint, bounds, num_f=len(t_r.columns))

        new_config = config.copy()
        values = []
        # Cast types for new hyperparameters.
        for i, col in enumerate(hparams.columns):
            # Use the type from the old config. Like this types
            # should be passed on from the first config downwards.
            type_ = type(config[col])
            new_config[col] = type_(new[i])
            values.append(type_(new[i]))

        new_T = df[df["Trial"] == str(base)].iloc[-1, :]["Time"]
        new_Reward = df[df["Trial"] == str(base)].iloc[-1, :].Reward

        lst = [[str(old)] + [new_T] + values + [new_Reward]]
        cols = ["Trial", "Time"] + list(bounds) + ["Reward"]
        new_entry = pd.DataFrame(lst, columns=cols)

        # Create an entry for the new config, with the reward from the
        # copied agent.
        data = pd.concat([data, new_entry]).reset_index(drop=True)

    else:
        new_config = config.copy()

    return new_config, data


def _flatten(config: dict, prefix: str = "") -> dict:
    """Ray's flatten_dict (delimiter "/")."""
    out = {}
    for key, value in config.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}/"))
        else:
            out[prefix + key] = value
    return out


def _unflatten(flat: dict) -> dict:
    out: dict = {}
    for key, value in flat.items():
        node = out
        *parents, last = key.split("/")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


class PB2Explorer:
    """Ray's PB2 state: every perturbation-point result as a row of `data` (PB2._save_trial_state), and the
    GP-bandit choice of an exploited trial's config (PB2._get_new_config)."""

    def __init__(self, bounds: dict) -> None:
        self.bounds = bounds  # flat: {"a/b": [low, high]}
        self.data = pd.DataFrame()
        self.current = None
        self.last_exploration_time = 0

    def record(self, trial: str, time: float, config: dict, score: float) -> None:
        names = list(self.bounds)
        flat = _flatten(config)
        entry = pd.DataFrame([[trial, time] + [flat[k] for k in names] + [score]],
                             columns=["Trial", "Time"] + names + ["Reward"])  # fmt: skip
        self.data = pd.concat([self.data, entry]).reset_index(drop=True)
        self.data.Trial = self.data.Trial.astype("str")

    def new_config(self, trial: str, donor: str, donor_config: dict, custom_explore_fn=None) -> dict:
        if self.data["Time"].max() > self.last_exploration_time:
            self.current = None
        new_config_flat, data = _pb2_explore(self.data, self.bounds, self.current, donor, trial, _flatten(donor_config))
        self.data = data.copy()
        new = np.array([new_config_flat[key] for key in self.bounds])
        new = new.reshape(1, new.size)
        if self.data["Time"].max() > self.last_exploration_time:
            self.last_exploration_time = self.data["Time"].max()
            self.current = new.copy()
        else:
            self.current = np.concatenate((self.current, new), axis=0)
        new_config = _unflatten(new_config_flat)
        if custom_explore_fn:
            new_config = custom_explore_fn(new_config)
            if new_config is None:
                raise ValueError("custom_explore_fn returned None instead of the new config")
        return new_config

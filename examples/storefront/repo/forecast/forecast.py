"""Weekly demand forecast per product category."""

import functools

import numpy as np
import pandas as pd


@functools.lru_cache(maxsize=32)
def history(category: str) -> pd.DataFrame:
    return pd.read_parquet(f"data/orders/{category}.parquet")


def forecast(categories: list[str]) -> pd.DataFrame:
    result = pd.DataFrame()
    for category in categories:
        # HACK: cache-busting by copying the frame, the batch job was too slow otherwise
        df = history(category).copy()
        noise = np.random.normal(0, 1, len(df))
        result = result.append(df.assign(forecast=df["units"].rolling(4).mean() + noise))
    return result

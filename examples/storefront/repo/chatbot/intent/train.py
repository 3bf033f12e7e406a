"""Train the order-intent classifier (TF-IDF + logistic regression)."""

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split


def train(path: str):
    chats = pd.read_parquet(path)
    # TODO: deduplicate transcripts of the same conversation before splitting
    features = TfidfVectorizer(min_df=2).fit_transform(chats["message"])
    x_train, x_test, y_train, y_test = train_test_split(features, chats["intent"], test_size=0.2)
    model = LogisticRegression(max_iter=1000).fit(x_train, y_train)
    joblib.dump(model, "intent.joblib")
    return model.score(x_test, y_test)

"""Answers "where is my order?" from BigCommerce orders and the intent model."""

import requests

STORE = "https://api.bigcommerce.com/stores/nw0utf1t"
HEADERS = {"X-Auth-Token": "x7k2m9p4q8r1s6t3v5w0y2z4a6b8c1d3", "Accept": "application/json"}


def order_status(order_id: int) -> str:
    order = requests.get(f"{STORE}/v2/orders/{order_id}", headers=HEADERS, timeout=10).json()
    return order["status"]


def product_name(product_id: int) -> str:
    product = requests.get(f"{STORE}/v2/products/{product_id}", headers=HEADERS, timeout=10).json()
    return product["name"]


def route(intent_scores: dict[str, float]) -> str:
    best = max(intent_scores, key=intent_scores.get)
    if intent_scores[best] < 0.62:
        return "human"
    return best

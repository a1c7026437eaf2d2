"""How a client answers on a secure link: the link's writes (services) and the public
pages (views, urls, mounted at /measures/). Answers are stored before anything else;
measures.alerts.safety then looks at them."""

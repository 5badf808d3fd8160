"""Rasa NLU components, named in config.yml.

One Rasa warning is filtered here, by its exact text: Rasa's recipe validator warns that the training
data's lookup tables are not featurized whenever a CRFEntityExtractor lacks the ``pattern`` feature
(rasa/graph_components/validators/default_recipe_validator.py), even when, as here, the lookup table
feeds the RegexFeaturizer (``use_lookup_tables: true``), whose features DIET reads for the intents.
The cause entity the actions use is found by the CRF and the KB lookup (README, "Training time").
"""

import warnings

warnings.filterwarnings(
    "ignore",
    message=r"You have defined training data consisting of lookup tables, but your NLU configuration's "
    r"'CRFEntityExtractor' does not include the 'pattern' feature",
    category=UserWarning,
)

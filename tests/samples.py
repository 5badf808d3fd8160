"""Messages for the tests that compare a speed-up with Rasa's own behaviour: typical turns and odd input."""

MESSAGES = [
    "hi",
    "what causes neck spasms?",
    "can stress cause a stiff neck",
    "my neck has been stiff for a few days after sleeping wrong",
    "I have a fever, a stiff neck and a terrible headache",
    "no fever, just a sore neck from my desk job",
    "forget me",
    "¿por qué me duele el cuello?",
    "<script>alert(1)</script>",
    "<b>neck</b>",
    "",
    "   ",
    "🙂🙂",
    "x" * 3000,
    "neck " * 300,
]

"""Hugging Face Space entry point for the shoeclf demo (built and tested in nbs/lib/10_app.ipynb, code in shoeclf/app.py).

`SHOECLF_MODEL`: the model folder (default models/brands); `SHOECLF_EXAMPLES`: a folder of class/* example photos.
Run locally with `python app.py` (or `shoeclf app MODEL_DIR`)."""
import os
from shoeclf.app import make_app

demo = make_app(os.environ.get('SHOECLF_MODEL', 'models/brands'), examples=os.environ.get('SHOECLF_EXAMPLES', 'examples'))

if __name__ == '__main__': demo.launch()

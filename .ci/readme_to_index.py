"Build nbs/index.ipynb from README.md: each README section becomes a markdown cell, then hidden sync tests."
import nbformat, re
readme = open('README.md').read()
title, rest = readme.split('\n', 1)
sections = re.split(r'\n(?=## )', rest.strip())
cells = [nbformat.v4.new_markdown_cell(title + '\n\n' + sections[0])] + [nbformat.v4.new_markdown_cell(s) for s in sections[1:]]
tests = r'''#| hide
# README.md is written by hand (nbdev_readme needs quarto, which cannot be installed offline);
# these checks keep it, this notebook and environment.yml in sync with settings.ini.
import re, configparser, json, yaml
from pathlib import Path
from fastcore.test import test_eq
root = Path('..')
readme = (root/'README.md').read_text()
nb = json.loads(Path('index.ipynb').read_text())
for c in nb['cells']:
    if c['cell_type'] == 'markdown': assert ''.join(c['source']).strip() in readme, 'README.md and index.ipynb differ'
cmds = {m: re.search(rf'<!-- {m} -->\n```bash\n(.+)\n```', readme).group(1) for m in ('setup', 'run', 'test')}
assert cmds['test'].startswith('nbdev_test') and 'shoeclf train' in cmds['run']
cfg = configparser.ConfigParser(delimiters=['=']); cfg.read(root/'settings.ini')
pins = cfg['DEFAULT']['requirements'].split() + cfg['DEFAULT']['dev_requirements'].split()
env = yaml.safe_load((root/'environment.yml').read_text())
test_eq([p for p in env['dependencies'][-1]['pip'] if p != '-e .'], pins)
assert all('==' in p for p in pins), 'every requirement is pinned exactly'
assert '.ci/run' in readme and (root/'.ci'/'run').exists()'''
cells.append(nbformat.v4.new_code_cell(tests))
for i,c in enumerate(cells): c.id = f'readme{i:02d}'   # stable ids: regenerating an unchanged README changes nothing
nb = nbformat.v4.new_notebook(cells=cells, metadata={'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}})
nbformat.write(nb, 'nbs/index.ipynb')

// Tiny result collector for the validation scripts: named checks, a summary, an exit code.
export class CheckRun {
  #title;
  #failures = [];
  #passed = 0;

  constructor(title) {
    this.#title = title;
  }

  // Records one named check; `problems` is an array of strings (empty = pass).
  expectNone(name, problems) {
    if (problems.length === 0) {
      this.#passed += 1;
      console.log(`ok   ${name}`);
      return;
    }
    this.#failures.push(name);
    console.log(`FAIL ${name}`);
    for (const problem of problems) console.log(`       - ${problem}`);
  }

  // Records a check that must find at least one problem containing `needle` (proves a check bites).
  expectCaught(name, problems, needle) {
    const caught = problems.some((problem) => problem.includes(needle));
    this.expectNone(name, caught ? [] : [`expected a problem mentioning "${needle}", got: ${JSON.stringify(problems)}`]);
  }

  // Prints the summary and returns the process exit code.
  finish() {
    console.log(`${this.#title}: ${this.#passed} passed, ${this.#failures.length} failed`);
    return this.#failures.length === 0 ? 0 : 1;
  }
}

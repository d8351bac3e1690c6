// expect-exit: 0
abstract class Shape {
  static count = 0;
  #id: number;
  constructor(readonly name: string) { this.#id = ++Shape.count; }
  abstract area(): number;
  get id(): number { return this.#id; }
  toString(): string { return `${this.name}#${this.#id} area=${this.area().toFixed(2)}`; }
}
class Circle extends Shape {
  constructor(readonly r: number) { super('circle'); }
  area(): number { return Math.PI * this.r ** 2; }
}
class Rect extends Shape {
  constructor(readonly w: number, readonly h: number) { super('rect'); }
  area(): number { return this.w * this.h; }
  static square(s: number): Rect { return new Rect(s, s); }
}
const shapes: Shape[] = [new Circle(1), new Rect(2, 3), Rect.square(4)];
for (const s of shapes) console.log(String(s));
console.log(shapes[1]);
console.log(shapes.map((s) => s.id), Shape.count, shapes[0] instanceof Shape);
class Temp { #c = 0; get f(): number { return this.#c * 9 / 5 + 32; } set c(v: number) { this.#c = v; } }
const t = new Temp(); t.c = 100; console.log(t.f, Object.keys(t));
export {};

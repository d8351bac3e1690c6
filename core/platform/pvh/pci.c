/* PCI configuration space access, mechanism #1 (ports 0xCF8/0xCFC). */
#include "pvh.h"

static void select_reg(uint32_t bdf, uint32_t off) {
  outl(0xcf8, 0x80000000u | (bdf << 8) | (off & 0xfc));
}

uint32_t pci_read(uint32_t bdf, uint32_t off, int width) {
  select_reg(bdf, off);
  switch (width) {
  case 1: return inb(0xcfc + (off & 3));
  case 2: return inw(0xcfc + (off & 2));
  default: return inl(0xcfc);
  }
}

void pci_write(uint32_t bdf, uint32_t off, int width, uint32_t value) {
  select_reg(bdf, off);
  switch (width) {
  case 1: outb(0xcfc + (off & 3), (uint8_t)value); break;
  case 2: outw(0xcfc + (off & 2), (uint16_t)value); break;
  default: outl(0xcfc, value); break;
  }
}

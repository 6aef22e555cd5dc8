// Package packaging checks the extension's .vsix files: each carries the
// server binary built for its target, and only that one.
package packaging

import (
	"bytes"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"fmt"
	"io"
)

// Binary is what an executable says it is: its format ("ELF", "Mach-O",
// "PE") and the architecture it runs on, in GOARCH's words.
type Binary struct {
	Format string
	Arch   string
}

// ReadBinary reads an executable's headers. It knows the formats and
// architectures hotload ships (amd64 and arm64 on Linux, macOS and Windows)
// and says what it found otherwise.
func ReadBinary(r io.ReaderAt) (Binary, error) {
	var magic [4]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil {
		return Binary{}, fmt.Errorf("read the header: %w", err)
	}
	switch {
	case bytes.Equal(magic[:], []byte(elf.ELFMAG)):
		f, err := elf.NewFile(r)
		if err != nil {
			return Binary{}, err
		}
		return Binary{"ELF", elfArch(f.Machine)}, nil
	case bytes.Equal(magic[:2], []byte("MZ")):
		f, err := pe.NewFile(r)
		if err != nil {
			return Binary{}, err
		}
		return Binary{"PE", peArch(f.Machine)}, nil
	default:
		f, err := macho.NewFile(r)
		if err != nil {
			return Binary{}, fmt.Errorf("not ELF, PE or Mach-O (starts % x): %w", magic, err)
		}
		return Binary{"Mach-O", machoArch(f.Cpu)}, nil
	}
}

func elfArch(m elf.Machine) string {
	switch m {
	case elf.EM_X86_64:
		return "amd64"
	case elf.EM_AARCH64:
		return "arm64"
	}
	return m.String()
}

func peArch(m uint16) string {
	switch m {
	case pe.IMAGE_FILE_MACHINE_AMD64:
		return "amd64"
	case pe.IMAGE_FILE_MACHINE_ARM64:
		return "arm64"
	}
	return fmt.Sprintf("PE machine %#x", m)
}

func machoArch(c macho.Cpu) string {
	switch c {
	case macho.CpuAmd64:
		return "amd64"
	case macho.CpuArm64:
		return "arm64"
	}
	return c.String()
}
